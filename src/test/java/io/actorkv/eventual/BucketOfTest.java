package io.actorkv.eventual;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BucketOfTest {

  /** Regression: the low bits of the hash times a constant put up to 1.9 times the mean in one bucket. */
  @Test
  void keysSpreadEvenlyOverBuckets() {
    for (int buckets : new int[] {7, 128, 1024}) {
      int[] counts = new int[buckets];
      int keys = 200_000;
      for (int i = 0; i < keys; i++) counts[EventualStore.bucketOf("k" + i, buckets)]++;
      double mean = (double) keys / buckets;
      int max = IntStream.of(counts).max().orElseThrow();
      int min = IntStream.of(counts).min().orElseThrow();
      assertTrue(max < mean * 1.15 && min > mean * 0.85,
          buckets + " buckets: from " + min + " to " + max + " keys, mean " + mean);
    }
  }
}
