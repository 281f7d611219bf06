package io.actorkv.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A range of keys in byte order (their UTF-8 bytes compared unsigned, as
 * etcd and most stores order keys): from {@code start} on, up to but not
 * including {@code end}, or to the last key when there is no end. A prefix
 * is the range from the prefix to the first byte string after all that
 * start with it.
 */
public record KeyRange(byte[] start, Optional<byte[]> end) {

  public static final KeyRange ALL = new KeyRange(new byte[0], Optional.empty());

  /** Every key that starts with {@code prefix}. */
  public static KeyRange prefix(String prefix) {
    byte[] p = utf8(prefix);
    return new KeyRange(p, successor(p));
  }

  /** From {@code start} (included) to {@code end} (excluded; empty: to the last key). */
  public static KeyRange between(String start, Optional<String> end) {
    return new KeyRange(utf8(start), end.map(KeyRange::utf8));
  }

  /** Whether the range can hold no key at all: its end is at or before its start. */
  public boolean isEmpty() {
    return end.isPresent() && Arrays.compareUnsigned(start, end.get()) >= 0;
  }

  public boolean contains(byte[] key) {
    return Arrays.compareUnsigned(key, start) >= 0 && end.map(e -> Arrays.compareUnsigned(key, e) < 0).orElse(true);
  }

  public static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** The first byte string after every one that starts with {@code prefix}; none if it is all 0xFF (or empty). */
  private static Optional<byte[]> successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] next = Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return Optional.of(next);
      }
    }
    return Optional.empty();
  }

  // Records compare arrays by identity; ranges compare by content.
  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange r && Arrays.equals(start, r.start)
        && end.isPresent() == r.end.isPresent() && (end.isEmpty() || Arrays.equals(end.get(), r.end.get()));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(start) * 31 + end.map(Arrays::hashCode).orElse(0);
  }

  /**
   * The range in words, for messages: {@code every key}, {@code keys that
   * start with 'a/'}, {@code keys from 'a' to 'b'}, {@code keys from 'a' on}.
   */
  public String describe() {
    if (start.length == 0 && end.isEmpty()) return "every key";
    String first = new String(start, StandardCharsets.UTF_8);
    if (equals(prefix(first))) return "keys that start with '" + first + "'";
    String from = "keys from '" + first + "'";
    return end.map(e -> from + " to '" + new String(e, StandardCharsets.UTF_8) + "'").orElse(from + " on");
  }

  @Override
  public String toString() {
    return "KeyRange[" + new String(start, StandardCharsets.UTF_8) + ", "
        + end.map(e -> new String(e, StandardCharsets.UTF_8)).orElse("(last)") + ")";
  }
}
