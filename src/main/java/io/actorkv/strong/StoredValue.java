package io.actorkv.strong;

import io.actorkv.CborSerializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A key's value as of its last put: the bytes, their content type, when it
 * stops being readable ({@code null}: never) and when it was written.
 */
public record StoredValue(byte[] bytes, String contentType, Instant expiresAt, Instant modifiedAt)
    implements CborSerializable {

  public boolean liveAt(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }

  // Records compare arrays by identity; values compare by content.
  @Override
  public boolean equals(Object o) {
    return o instanceof StoredValue v
        && Arrays.equals(bytes, v.bytes)
        && contentType.equals(v.contentType)
        && Objects.equals(expiresAt, v.expiresAt)
        && modifiedAt.equals(v.modifiedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(bytes), contentType, expiresAt, modifiedAt);
  }

  @Override
  public String toString() {
    return "StoredValue[" + bytes.length + " bytes, " + contentType + ", expiresAt=" + expiresAt
        + ", modifiedAt=" + modifiedAt + "]";
  }
}
