package io.actorkv.client;

import java.util.SplittableRandom;

/**
 * Zipfian ranks as YCSB draws them: the algorithm of Gray et al., "Quickly generating
 * billion-record synthetic databases" (SIGMOD 1994), with YCSB's constant theta 0.99.
 *
 * <p>Rank 0 is the most popular. {@link #nextScrambled} hashes the rank with 64-bit FNV and
 * folds it into the item count, as YCSB's {@code ScrambledZipfianGenerator} does, so the hot
 * items are spread over the keyspace instead of being its first keys. (YCSB draws the rank from
 * ten billion items before folding; we draw it from the item count itself, which keeps the skew
 * the same whatever the keyspace size.)
 *
 * <p>An instance holds only constants (computing zeta is O(items)), so one is shared by all
 * connections; each connection brings its own seeded random source.
 */
final class ZipfianGenerator {

  static final double YCSB_THETA = 0.99;

  private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
  private static final long FNV_PRIME_64 = 1099511628211L;

  private final long items;
  private final double theta;
  private final double alpha;
  private final double zetan;
  private final double eta;
  private final double secondRankBound;

  ZipfianGenerator(long items, double theta) {
    if (items < 1) throw new IllegalArgumentException("items must be at least 1, not " + items);
    if (!(theta > 0 && theta < 1)) throw new IllegalArgumentException("theta must be in (0, 1), not " + theta);
    this.items = items;
    this.theta = theta;
    this.alpha = 1.0 / (1.0 - theta);
    this.zetan = zeta(items, theta);
    this.eta = (1.0 - Math.pow(2.0 / items, 1.0 - theta)) / (1.0 - zeta(2, theta) / zetan);
    this.secondRankBound = 1.0 + Math.pow(0.5, theta);
  }

  static ZipfianGenerator ycsb(long items) {
    return new ZipfianGenerator(items, YCSB_THETA);
  }

  long items() {
    return items;
  }

  double theta() {
    return theta;
  }

  /** A rank in [0, items), 0 the most likely. */
  long nextRank(SplittableRandom random) {
    double u = random.nextDouble();
    double uz = u * zetan;
    if (uz < 1.0) return 0;
    if (uz < secondRankBound) return Math.min(1, items - 1);
    long rank = (long) (items * Math.pow(eta * u - eta + 1, alpha));
    return Math.min(rank, items - 1);
  }

  /** An item in [0, items): a zipfian rank, scrambled. */
  long nextScrambled(SplittableRandom random) {
    return scramble(nextRank(random));
  }

  long scramble(long rank) {
    // floorMod, not %: abs(Long.MIN_VALUE) is still negative.
    return Math.floorMod(fnv64(rank), items);
  }

  /**
   * FNV-1a over the eight bytes of {@code value}, low byte first, made non-negative with
   * {@code Math.abs}: YCSB's {@code Utils.fnvhash64}, so ranks map to the same items as in YCSB.
   */
  static long fnv64(long value) {
    long hash = FNV_OFFSET_BASIS_64;
    for (int i = 0; i < 8; i++) {
      hash ^= value & 0xff;
      hash *= FNV_PRIME_64;
      value >>>= 8;
    }
    return Math.abs(hash);
  }

  private static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += 1.0 / Math.pow(i, theta);
    }
    return sum;
  }
}
