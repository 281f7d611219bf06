package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** YCSB's zipfian key choice: deterministic per seed, in range, skewed, hot keys spread out. */
class ZipfianGeneratorTest {

  static final int KEYS = 1000;
  static final int DRAWS = 100_000;

  final ZipfianGenerator zipfian = ZipfianGenerator.ycsb(KEYS);

  @Test
  void theSameSeedDrawsTheSameKeys() {
    assertArrayEquals(draw(new SplittableRandom(7)), draw(new SplittableRandom(7)));
  }

  @Test
  void differentSeedsDrawDifferentKeys() {
    assertTrue(!Arrays.equals(draw(new SplittableRandom(7)), draw(new SplittableRandom(8))));
  }

  @Test
  void everyKeyIsInTheKeyspace() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < DRAWS; i++) {
      long rank = zipfian.nextRank(random);
      long key = zipfian.nextScrambled(random);
      assertTrue(rank >= 0 && rank < KEYS, "rank " + rank);
      assertTrue(key >= 0 && key < KEYS, "key " + key);
    }
  }

  @Test
  void rankZeroIsTheMostFrequentAndFarAboveTheMedian() {
    int[] counts = counts(zipfian::nextRank);

    int[] sorted = counts.clone();
    Arrays.sort(sorted);
    int median = sorted[KEYS / 2];
    assertEquals(sorted[KEYS - 1], counts[0], "rank 0 is drawn most");
    assertTrue(counts[0] > 50 * Math.max(1, median), "hottest " + counts[0] + " vs median " + median);
    // With theta 0.99 the hottest rank takes about 1/zeta(1000) = 13% of draws.
    assertTrue(counts[0] > DRAWS / 20 && counts[0] < DRAWS / 4, "hottest " + counts[0]);
  }

  @Test
  void scramblingKeepsTheSkewButSpreadsTheHottestKeys() {
    int[] counts = counts(zipfian::nextScrambled);

    int[] sorted = counts.clone();
    Arrays.sort(sorted);
    assertTrue(sorted[KEYS - 1] > 50 * Math.max(1, sorted[KEYS / 2]), "still skewed");
    int[] hottest = IntStream.range(0, KEYS).boxed()
        .sorted((a, b) -> Integer.compare(counts[b], counts[a]))
        .limit(10).mapToInt(Integer::intValue).toArray();
    int lowest = Arrays.stream(hottest).min().orElseThrow();
    int highest = Arrays.stream(hottest).max().orElseThrow();
    assertTrue(highest - lowest > KEYS / 2, "hottest keys " + Arrays.toString(hottest) + " are clustered");
    assertTrue(Arrays.stream(hottest).filter(k -> k < 10).count() < 10, "hottest keys are the first ten");
  }

  @Test
  void scrambleIsYcsbsFnv64FoldedIntoTheKeyspace() {
    // |FNV-1a| of the rank's eight bytes, as YCSB's Utils.fnvhash64 computes it.
    assertEquals(6284781860667377211L, ZipfianGenerator.fnv64(0));
    assertEquals(211, zipfian.scramble(0));
    assertEquals(8517097267634966620L, ZipfianGenerator.fnv64(1));
    assertEquals(620, zipfian.scramble(1));
  }

  @Test
  void aSingleKeyIsAlwaysChosen() {
    ZipfianGenerator one = ZipfianGenerator.ycsb(1);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) assertEquals(0, one.nextScrambled(random));
  }

  long[] draw(SplittableRandom random) {
    long[] keys = new long[1000];
    for (int i = 0; i < keys.length; i++) keys[i] = zipfian.nextScrambled(random);
    return keys;
  }

  interface Draw {
    long next(SplittableRandom random);
  }

  int[] counts(Draw draw) {
    SplittableRandom random = new SplittableRandom(42);
    int[] counts = new int[KEYS];
    for (int i = 0; i < DRAWS; i++) counts[(int) draw.next(random)]++;
    return counts;
  }
}
