package io.actorkv.eventual;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * A version vector: for each node, how many of its writes are known. It is
 * the causal context of a key: a write made with a context supersedes exactly
 * the versions that context has seen. Immutable; entries are kept sorted, so
 * equal vectors serialize to equal bytes.
 */
public final class VClock {

  public static final VClock EMPTY = new VClock(new TreeMap<>());

  private final SortedMap<UniqueAddress, Long> counters;

  private VClock(SortedMap<UniqueAddress, Long> counters) {
    this.counters = counters;
  }

  /** @throws IllegalArgumentException for a counter below 1 */
  public static VClock of(Map<UniqueAddress, Long> counters) {
    counters.values().forEach(c -> {
      if (c < 1) throw new IllegalArgumentException("version vector counters start at 1, not " + c);
    });
    return new VClock(new TreeMap<>(counters));
  }

  public long get(UniqueAddress node) {
    return counters.getOrDefault(node, 0L);
  }

  /** Whether the write {@code dot} is known to this vector. */
  public boolean seen(Dot dot) {
    return get(dot.node()) >= dot.counter();
  }

  public VClock increment(UniqueAddress node) {
    TreeMap<UniqueAddress, Long> next = new TreeMap<>(counters);
    next.merge(node, 1L, Long::sum);
    return new VClock(next);
  }

  public VClock merge(VClock other) {
    SortedMap<UniqueAddress, Long> merged = maxPerNode(counters, other.counters);
    return merged == counters ? this : merged == other.counters ? other : new VClock(merged);
  }

  /** The larger count of each node; one of the two maps itself where the other adds nothing. */
  static <N extends Comparable<N>> SortedMap<UniqueAddress, N> maxPerNode(SortedMap<UniqueAddress, N> a,
                                                                          SortedMap<UniqueAddress, N> b) {
    if (b.isEmpty() || a == b) return a;
    if (a.isEmpty()) return b;
    TreeMap<UniqueAddress, N> merged = new TreeMap<>(a);
    b.forEach((node, n) -> merged.merge(node, n, (x, y) -> x.compareTo(y) >= 0 ? x : y));
    return merged;
  }

  /** Whether every write this vector knows is known to {@code other} too. */
  public boolean seenBy(VClock other) {
    return counters.entrySet().stream().allMatch(e -> other.get(e.getKey()) >= e.getValue());
  }

  public VClock without(UniqueAddress node) {
    if (!counters.containsKey(node)) return this;
    TreeMap<UniqueAddress, Long> next = new TreeMap<>(counters);
    next.remove(node);
    return new VClock(next);
  }

  /** The entries, in address order. */
  public SortedMap<UniqueAddress, Long> entries() {
    return Collections.unmodifiableSortedMap(counters);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VClock v && counters.equals(v.counters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(counters);
  }

  @Override
  public String toString() {
    return "VClock" + counters;
  }
}
