package io.actorkv.eventual;

import io.actorkv.crypto.DataKeys;
import io.actorkv.store.Expiry;
import io.actorkv.store.Value;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One written value of a key: the bytes and their content type, when it was
 * written (epoch milliseconds, the last-writer-wins order) and when it stops
 * being readable. A tombstone is a delete in a last-writer-wins namespace: a
 * version that wins like any other and reads as absent. A sealed version's
 * bytes are its value encrypted at rest ({@link VersionSeal}): replicas,
 * gossip and LMDB hold only those; a reader opens them.
 */
public record Version(Dot dot, byte[] value, String contentType, long timestamp, Expiry expires,
                      boolean tombstone, boolean sealed) {

  /** Last writer wins: the later timestamp, then the higher node address, then the later write of that node. */
  public static final Comparator<Version> LWW_ORDER = Comparator.comparingLong(Version::timestamp)
      .thenComparing(Version::dot);

  public static Version value(byte[] value, String contentType, long timestamp, Expiry expires) {
    return new Version(null, value, contentType, timestamp, expires, false, false);
  }

  public static Version tombstone(long timestamp) {
    return new Version(null, new byte[0], "", timestamp, Expiry.NEVER, true, false);
  }

  Version withDot(Dot d) {
    return new Version(d, value, contentType, timestamp, expires, tombstone, sealed);
  }

  /** This version with {@code bytes} as its value, sealed or in the clear. */
  Version withValue(byte[] bytes, boolean isSealed) {
    return new Version(dot, bytes, contentType, timestamp, expires, tombstone, isSealed);
  }

  /** Whether a reader at {@code nowMillis} sees this as a value. */
  public boolean liveAt(long nowMillis) {
    return !tombstone && !expires.passedAt(nowMillis);
  }

  /** This version as a read answers it: opened first if it is sealed. */
  Value toValue() {
    if (sealed) throw new IllegalStateException("a sealed version is opened before it is read");
    return new Value(value, contentType, Instant.ofEpochMilli(timestamp), expires);
  }

  /** The length of the value in the clear. */
  int plainLength() {
    return sealed ? DataKeys.plainLength(value.length) : value.length;
  }

  /** About how many bytes this version takes when replicated. */
  int estimatedBytes() {
    return value.length + contentType.length() + 64;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v
        && Objects.equals(dot, v.dot)
        && Arrays.equals(value, v.value)
        && contentType.equals(v.contentType)
        && timestamp == v.timestamp
        && expires.equals(v.expires)
        && tombstone == v.tombstone
        && sealed == v.sealed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(dot, Arrays.hashCode(value), contentType, timestamp, expires, tombstone, sealed);
  }

  @Override
  public String toString() {
    return "Version[" + dot + ", " + (tombstone ? "tombstone" : value.length + (sealed ? " bytes sealed" : " bytes")) + ", at " + timestamp
        + (expires.isNever() ? "" : ", expires " + expires) + "]";
  }
}
