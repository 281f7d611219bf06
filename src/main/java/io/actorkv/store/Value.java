package io.actorkv.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/** A value as a read answers it: the bytes, their content type, when they were written and when they expire. */
public record Value(byte[] bytes, String contentType, Instant modified, Expiry expires) {

  // Records compare arrays by identity; values compare by content.
  @Override
  public boolean equals(Object o) {
    return o instanceof Value v && Arrays.equals(bytes, v.bytes) && contentType.equals(v.contentType)
        && modified.equals(v.modified) && expires.equals(v.expires);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(bytes), contentType, modified, expires);
  }

  @Override
  public String toString() {
    return "Value[" + bytes.length + " bytes, " + contentType + ", modified " + modified + ", expires " + expires + "]";
  }
}
