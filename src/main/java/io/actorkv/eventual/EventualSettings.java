package io.actorkv.eventual;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code actorkv.eventual} settings: how long a read or write waits for
 * its level, how long asking peers how far a failed one got may take, the
 * largest value and bucket, and how expired values and tombstones are purged.
 */
public record EventualSettings(
    int defaultBuckets,
    long maxValueBytes,
    long maxBucketBytes,
    Duration levelTimeout,
    Duration probeTimeout,
    Duration purgeInterval,
    Duration tombstoneGrace) {

  public static EventualSettings from(Config root) {
    Config c = root.getConfig("actorkv.eventual");
    long frame = root.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    return new EventualSettings(
        c.getInt("buckets"),
        c.getBytes("max-value-bytes"),
        (long) (frame * c.getDouble("bucket-fill")),
        c.getDuration("level-timeout"),
        c.getDuration("probe-timeout"),
        c.getDuration("purge-interval"),
        c.getDuration("tombstone-grace"));
  }
}
