package io.actorkv.eventual;

import io.actorkv.namespace.Conflicts;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.AbstractReplicatedData;
import org.apache.pekko.cluster.ddata.RemovedNodePruning;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One key of an eventual namespace, as a CRDT: a multi-value register (every
 * version no replica has superseded yet, each with the dot of its write, and
 * the version vector of everything seen) and a PN-counter. The counter's
 * parts per node are unbounded, as in Pekko's own PNCounter: they only
 * grow, so a 64-bit part would run out after a large increment and its
 * opposite even though the value itself is small. A key is used as
 * one or the other; a partition can leave it holding both, and readers then
 * see the register (docs/consistency.md).
 *
 * <p>The register merges like an observed-remove set: a version survives if
 * both sides have it, or if the side without it has not seen its dot. So a
 * write supersedes exactly what its context had seen, and concurrent writes
 * both survive as siblings. Last-writer-wins namespaces use the same state and
 * let readers pick the winner by {@link Version#LWW_ORDER}, so every replica
 * picks the same one.
 */
public final class KeyEntry extends AbstractReplicatedData<KeyEntry> implements RemovedNodePruning {

  public static final KeyEntry EMPTY = new KeyEntry(VClock.EMPTY, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
  private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final VClock clock;
  private final SortedMap<Dot, Version> versions;
  private final SortedMap<UniqueAddress, BigInteger> increments;
  private final SortedMap<UniqueAddress, BigInteger> decrements;
  /**
   * This entry's serialized form and size estimate, computed once: an entry
   * never changes, and Distributed Data serializes a whole bucket (every
   * entry in it) for each LMDB write and gossip digest.
   */
  private volatile byte[] serialized;
  private volatile int estimatedBytes = -1;
  /** The causal context last issued for this entry, and for which key: a key read again unchanged reuses it. */
  private volatile IssuedContext issued;

  private record IssuedContext(String namespace, String key, String token) {}

  KeyEntry(VClock clock, SortedMap<Dot, Version> versions, SortedMap<UniqueAddress, BigInteger> increments,
           SortedMap<UniqueAddress, BigInteger> decrements) {
    this.clock = clock;
    this.versions = versions;
    this.increments = increments;
    this.decrements = decrements;
  }

  /** This entry with its count of {@code self} raised to {@code counter}: {@code self}'s next dot is past it. */
  KeyEntry countingFrom(UniqueAddress self, long counter) {
    if (clock.get(self) >= counter) return this;
    VClock raised = clock.merge(VClock.of(Map.of(self, counter)));
    return new KeyEntry(raised, versions, increments, decrements);
  }

  /** Everything this replica has seen of the key: the context handed to clients. */
  public VClock clock() {
    return clock;
  }

  /** Every version not yet superseded, tombstones and expired ones included, in dot order. */
  public Collection<Version> versions() {
    return Collections.unmodifiableCollection(versions.values());
  }

  /** Whether any version holds a sealed value: a read must load the namespace's data key first. */
  public boolean holdsSealed() {
    for (Version v : versions.values()) {
      if (v.sealed()) return true;
    }
    return false;
  }

  SortedMap<UniqueAddress, BigInteger> increments() {
    return Collections.unmodifiableSortedMap(increments);
  }

  SortedMap<UniqueAddress, BigInteger> decrements() {
    return Collections.unmodifiableSortedMap(decrements);
  }

  /**
   * This node's next write: drops the versions {@code context} has seen and
   * adds {@code version} under a new dot ({@code null}: adds nothing, a
   * delete that leaves no trace but the vector).
   */
  public KeyEntry write(UniqueAddress self, VClock context, Version version) {
    VClock next = clock.merge(context).increment(self);
    TreeMap<Dot, Version> kept = new TreeMap<>();
    versions.forEach((dot, v) -> {
      if (!context.seen(dot)) kept.put(dot, v);
    });
    if (version != null) {
      Dot dot = new Dot(self, next.get(self));
      kept.put(dot, version.withDot(dot));
    }
    return new KeyEntry(next, kept, increments, decrements);
  }

  /** The latest timestamp of any version; a new write is stamped later than this. */
  public long latestTimestamp() {
    return versions.values().stream().mapToLong(Version::timestamp).max().orElse(0);
  }

  /** The values a reader at {@code nowMillis} sees: no tombstones, nothing expired. */
  public List<Version> siblingsAt(long nowMillis) {
    return versions.values().stream().filter(v -> v.liveAt(nowMillis)).toList();
  }

  /** The last writer's version, if it is a live value at {@code nowMillis}. */
  public Optional<Version> winnerAt(long nowMillis) {
    return versions.values().stream().max(Version.LWW_ORDER).filter(v -> v.liveAt(nowMillis));
  }

  /** What a reader of a namespace that settles conflicts by {@code conflicts} sees at {@code nowMillis}. */
  public List<Version> visibleAt(Conflicts conflicts, long nowMillis) {
    return conflicts == Conflicts.SIBLINGS ? siblingsAt(nowMillis) : winnerAt(nowMillis).stream().toList();
  }

  /** Whether a reader sees anything: a value, or a counter. */
  public boolean readableAt(Conflicts conflicts, long nowMillis) {
    return hasCounter() || !visibleAt(conflicts, nowMillis).isEmpty();
  }

  public boolean hasCounter() {
    return !increments.isEmpty() || !decrements.isEmpty();
  }

  /**
   * The counter's value. Concurrent increments, each within the range of a
   * long where it was made, can merge to a value outside it; this is that
   * value, exactly.
   */
  public BigInteger counter() {
    return sum(increments).subtract(sum(decrements));
  }

  private static BigInteger sum(SortedMap<UniqueAddress, BigInteger> parts) {
    BigInteger total = BigInteger.ZERO;
    for (BigInteger part : parts.values()) total = total.add(part);
    return total;
  }

  /**
   * Adds {@code by} (which may be negative) to the counter as this node.
   * @throws ArithmeticException if the counter's value would leave the range of a long
   */
  public KeyEntry increment(UniqueAddress self, long by) {
    if (by == 0) return this;
    TreeMap<UniqueAddress, BigInteger> up = new TreeMap<>(increments);
    TreeMap<UniqueAddress, BigInteger> down = new TreeMap<>(decrements);
    if (by > 0) {
      up.merge(self, BigInteger.valueOf(by), BigInteger::add);
    } else {
      down.merge(self, BigInteger.valueOf(by).negate(), BigInteger::add);
    }
    KeyEntry next = new KeyEntry(clock, versions, up, down);
    BigInteger value = next.counter();
    if (value.compareTo(MIN) < 0 || value.compareTo(MAX) > 0) {
      throw new ArithmeticException("the counter would be " + value + ", outside the range of a long");
    }
    return next;
  }

  /** About how many bytes this key takes when replicated. */
  public int estimatedBytes() {
    if (estimatedBytes < 0) {
      int bytes = 32 + 48 * (clock.entries().size() + increments.size() + decrements.size());
      for (Version v : versions.values()) bytes += v.estimatedBytes();
      estimatedBytes = bytes;
    }
    return estimatedBytes;
  }

  /**
   * The causal context of this entry for {@code key} of the namespace
   * stored as {@code namespace}, made by {@code issue} the first time it is
   * asked for: an entry never changes.
   */
  String context(String namespace, String key, Function<KeyEntry, String> issue) {
    IssuedContext last = issued;
    if (last != null && last.key().equals(key) && last.namespace().equals(namespace)) return last.token();
    String token = issue.apply(this);
    issued = new IssuedContext(namespace, key, token);
    return token;
  }

  /** The serialized form, made by {@code serializer} the first time it is asked for. */
  byte[] serialized(Function<KeyEntry, byte[]> serializer) {
    byte[] bytes = serialized;
    if (bytes == null) {
      bytes = serializer.apply(this);
      serialized = bytes;
    }
    return bytes;
  }

  @Override
  public KeyEntry mergeData(KeyEntry that) {
    if (that == this) return this;
    TreeMap<Dot, Version> merged = new TreeMap<>();
    versions.forEach((dot, v) -> {
      if (that.versions.containsKey(dot) || !that.clock.seen(dot)) merged.put(dot, v);
    });
    that.versions.forEach((dot, v) -> {
      if (!versions.containsKey(dot) && !clock.seen(dot)) merged.put(dot, v);
    });
    return new KeyEntry(clock.merge(that.clock), merged, VClock.maxPerNode(increments, that.increments),
        VClock.maxPerNode(decrements, that.decrements));
  }

  @Override
  public scala.collection.immutable.Set<UniqueAddress> modifiedByNodes() {
    Set<UniqueAddress> nodes = new HashSet<>(clock.entries().keySet());
    nodes.addAll(increments.keySet());
    nodes.addAll(decrements.keySet());
    return CollectionConverters.asScala(nodes).toSet();
  }

  @Override
  public boolean needPruningFrom(UniqueAddress removed) {
    return clock.get(removed) > 0 || increments.containsKey(removed) || decrements.containsKey(removed);
  }

  /**
   * Moves what {@code removed} wrote to {@code collapseInto}: its versions get
   * new dots of that node and its counts are added to that node's, as
   * Distributed Data's own sets and counters do.
   */
  @Override
  public KeyEntry prune(UniqueAddress removed, UniqueAddress collapseInto) {
    VClock next = clock.without(removed);
    if (clock.get(removed) > 0) next = next.increment(collapseInto);
    TreeMap<Dot, Version> moved = new TreeMap<>();
    for (var e : versions.entrySet()) {
      if (e.getKey().node().equals(removed)) {
        next = next.increment(collapseInto);
        Dot dot = new Dot(collapseInto, next.get(collapseInto));
        moved.put(dot, e.getValue().withDot(dot));
      } else {
        moved.put(e.getKey(), e.getValue());
      }
    }
    return new KeyEntry(next, moved, collapse(increments, removed, collapseInto),
        collapse(decrements, removed, collapseInto));
  }

  private static SortedMap<UniqueAddress, BigInteger> collapse(SortedMap<UniqueAddress, BigInteger> counts,
                                                              UniqueAddress removed, UniqueAddress into) {
    BigInteger n = counts.get(removed);
    if (n == null) return counts;
    TreeMap<UniqueAddress, BigInteger> next = new TreeMap<>(counts);
    next.remove(removed);
    next.merge(into, n, BigInteger::add);
    return next;
  }

  /** Forgets {@code removed} entirely, once its writes have been moved everywhere by {@link #prune}. */
  @Override
  public KeyEntry pruningCleanup(UniqueAddress removed) {
    TreeMap<Dot, Version> kept = new TreeMap<>();
    versions.forEach((dot, v) -> {
      if (!dot.node().equals(removed)) kept.put(dot, v);
    });
    TreeMap<UniqueAddress, BigInteger> up = new TreeMap<>(increments);
    up.remove(removed);
    TreeMap<UniqueAddress, BigInteger> down = new TreeMap<>(decrements);
    down.remove(removed);
    return new KeyEntry(clock.without(removed), kept, up, down);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyEntry k && clock.equals(k.clock) && versions.equals(k.versions)
        && increments.equals(k.increments) && decrements.equals(k.decrements);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clock, versions, increments, decrements);
  }

  @Override
  public String toString() {
    return "KeyEntry[" + clock + ", " + versions.values() + ", +" + increments + ", -" + decrements + "]";
  }
}
