package io.actorkv.client;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a run asks of the target: the share of reads (the rest are writes of whole values) and how
 * keys are chosen. The YCSB core workloads fix both: A is 50% reads and 50% updates, B 95/5, C
 * read-only, all zipfian.
 */
record Workload(String name, double readFraction, Distribution distribution) {

  static final List<String> NAMES = List.of("put", "get", "mixed", "ycsb-a", "ycsb-b", "ycsb-c");

  enum Distribution {
    UNIFORM,
    ZIPFIAN;

    static Distribution of(String name) {
      for (Distribution d : values()) {
        if (d.label().equals(name)) return d;
      }
      throw new IllegalArgumentException("unknown distribution '" + name + "'; expected uniform or zipfian");
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  Workload {
    if (!(readFraction >= 0 && readFraction <= 1)) {
      throw new IllegalArgumentException("read fraction must be in [0, 1], not " + readFraction);
    }
  }

  /**
   * The named workload. {@code readFraction} applies to {@code mixed} only and {@code distribution}
   * to {@code put}, {@code get} and {@code mixed}; the YCSB workloads fix both.
   */
  static Workload of(String name, double readFraction, Distribution distribution) {
    if (!(readFraction >= 0 && readFraction <= 1)) {
      throw new IllegalArgumentException("read fraction must be in [0, 1], not " + readFraction);
    }
    return switch (name) {
      case "put" -> new Workload(name, 0, distribution);
      case "get" -> new Workload(name, 1, distribution);
      case "mixed" -> new Workload(name, readFraction, distribution);
      case "ycsb-a" -> new Workload(name, 0.5, Distribution.ZIPFIAN);
      case "ycsb-b" -> new Workload(name, 0.95, Distribution.ZIPFIAN);
      case "ycsb-c" -> new Workload(name, 1, Distribution.ZIPFIAN);
      default -> throw new IllegalArgumentException(
          "unknown workload '" + name + "'; expected one of " + String.join(", ", NAMES));
    };
  }

  /** Whether any request reads, so the keyspace must be loaded first. */
  boolean reads() {
    return readFraction > 0;
  }

  Op nextOp(SplittableRandom random) {
    if (readFraction >= 1) return Op.READ;
    if (readFraction <= 0) return Op.WRITE;
    return random.nextDouble() < readFraction ? Op.READ : Op.WRITE;
  }

  /** One connection's key chooser; {@code zipfian} is shared and may be null for a uniform workload. */
  KeyChooser keyChooser(int keys, ZipfianGenerator zipfian, SplittableRandom random) {
    return distribution == Distribution.ZIPFIAN
        ? KeyChooser.zipfian(zipfian, random)
        : KeyChooser.uniform(keys, random);
  }
}
