package io.actorkv.strong;

import io.actorkv.store.Expiry;
import io.actorkv.store.Value;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A key's value as of its last change: the bytes, their content type, when it
 * stops being readable, when it was written, and whether it is a counter
 * (its bytes are then the count in decimal). Part of the key's snapshot.
 * {@code sealed}: the bytes are encrypted, as the event that wrote them
 * stored them ({@link ValueSeal}), for the key's revision that wrote them.
 */
public record StoredValue(byte[] bytes, String contentType, Expiry expiresAt, Instant modifiedAt, boolean counter,
                          boolean sealed) {

  /** A null {@code expiresAt} comes only from the journal, where it means never. */
  public StoredValue {
    expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
  }

  public static final String COUNTER_CONTENT_TYPE = "text/plain; charset=UTF-8";

  /** A value written by a put. */
  public StoredValue(byte[] bytes, String contentType, Expiry expiresAt, Instant modifiedAt) {
    this(bytes, contentType, expiresAt, modifiedAt, false, false);
  }

  public StoredValue(byte[] bytes, String contentType, Expiry expiresAt, Instant modifiedAt, boolean counter) {
    this(bytes, contentType, expiresAt, modifiedAt, counter, false);
  }

  /** This value with {@code plaintext} as its bytes, no longer sealed. */
  StoredValue opened(byte[] plaintext) {
    return new StoredValue(plaintext, contentType, expiresAt, modifiedAt, counter, false);
  }

  static StoredValue counter(long count, Instant modifiedAt) {
    return new StoredValue(Long.toString(count).getBytes(StandardCharsets.US_ASCII), COUNTER_CONTENT_TYPE,
        Expiry.NEVER, modifiedAt, true);
  }

  /** The count of a counter. */
  public long count() {
    return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
  }

  public boolean liveAt(Instant now) {
    return !expiresAt.passedAt(now);
  }

  /** The value as a read answers it. */
  public Value toValue() {
    return new Value(bytes, contentType, modifiedAt, expiresAt);
  }

  // Records compare arrays by identity; values compare by content.
  @Override
  public boolean equals(Object o) {
    return o instanceof StoredValue v
        && Arrays.equals(bytes, v.bytes)
        && contentType.equals(v.contentType)
        && expiresAt.equals(v.expiresAt)
        && modifiedAt.equals(v.modifiedAt)
        && counter == v.counter
        && sealed == v.sealed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(bytes), contentType, expiresAt, modifiedAt, counter, sealed);
  }

  @Override
  public String toString() {
    return "StoredValue[" + bytes.length + (sealed ? " sealed" : "") + " bytes, " + contentType
        + ", expiresAt=" + expiresAt
        + ", modifiedAt=" + modifiedAt + (counter ? ", counter" : "") + "]";
  }
}
