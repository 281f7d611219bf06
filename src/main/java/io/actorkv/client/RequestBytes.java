package io.actorkv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A reusable buffer one connection encodes its requests into, so the hot path allocates nothing. */
final class RequestBytes {

  private byte[] bytes = new byte[1024];
  private int length;

  void reset() {
    length = 0;
  }

  byte[] array() {
    return bytes;
  }

  int length() {
    return length;
  }

  RequestBytes append(byte[] source) {
    return append(source, 0, source.length);
  }

  RequestBytes append(byte[] source, int offset, int count) {
    ensure(count);
    System.arraycopy(source, offset, bytes, length, count);
    length += count;
    return this;
  }

  /** Appends a non-negative number in decimal. */
  RequestBytes appendDecimal(long value) {
    if (value < 0) throw new IllegalArgumentException("negative: " + value);
    int digits = digits(value);
    ensure(digits);
    for (int i = length + digits - 1; i >= length; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length += digits;
    return this;
  }

  static int digits(long value) {
    int digits = 1;
    while (value >= 10) {
      value /= 10;
      digits++;
    }
    return digits;
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
