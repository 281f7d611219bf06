package io.actorkv.client;

import java.util.SplittableRandom;

/** Picks the key of one connection's next request; not thread-safe, one per connection. */
@FunctionalInterface
interface KeyChooser {

  /** A key number in [0, keys). */
  int next();

  static KeyChooser uniform(int keys, SplittableRandom random) {
    return () -> random.nextInt(keys);
  }

  /** Scrambled zipfian over the generator's items; the generator may be shared, the random may not. */
  static KeyChooser zipfian(ZipfianGenerator generator, SplittableRandom random) {
    return () -> (int) generator.nextScrambled(random);
  }
}
