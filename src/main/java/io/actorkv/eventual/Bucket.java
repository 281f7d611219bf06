package io.actorkv.eventual;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.AbstractDeltaReplicatedData;
import org.apache.pekko.cluster.ddata.AbstractReplicatedData;
import org.apache.pekko.cluster.ddata.ORMap;
import org.apache.pekko.cluster.ddata.RemovedNodePruning;
import org.apache.pekko.cluster.ddata.ReplicatedDeltaSize;
import org.apache.pekko.cluster.ddata.RequiresCausalDeliveryOfDeltas;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * One bucket of an eventual namespace, as a CRDT: Pekko's {@code ORMap} from
 * key to {@link KeyEntry}, which knows two things the map does not.
 *
 * <p>The state a local write made from it. The replicator merges the result
 * of every local update into the state the update started from. A write only
 * adds to a state, so that merge is the write's result itself; {@code ORMap}
 * would still visit every key in the bucket, which took most of the
 * replicator's time and made a write's cost grow with its bucket. Each state
 * has an identity of its own (never serialized, so a state from elsewhere
 * never matches), and a state made by {@link #put} or {@link #remove}
 * remembers its parent's; only the identity, so no chain of old states is
 * kept alive.
 *
 * <p>Its size: {@link #estimatedBytes} is carried from a state to the one a
 * write makes from it, instead of adding up every entry on each write.
 */
public final class Bucket extends AbstractDeltaReplicatedData<Bucket, Bucket.Delta> implements RemovedNodePruning {

  public static final Bucket EMPTY = new Bucket(ORMap.create(), null, 0, Map.of());

  private final ORMap<String, KeyEntry> map;
  private final Object identity = new Object();
  /** The identity of the state this one was made from by a local write, or null. */
  private final Object parent;
  private volatile long estimatedBytes;
  /**
   * Per node, the highest dot counter pruning has given it in this bucket
   * (see {@link #entryToWrite}). Kept in memory only, and carried into every
   * state made from this one: pruning runs on the node it collapses into,
   * and that node restarted is a new node (a new uid), whose dots cannot
   * meet the old ones.
   */
  private final Map<UniqueAddress, Long> prunedDots;

  /** @param estimatedBytes the sum of the entries' {@link KeyEntry#estimatedBytes}, or -1 if not known yet */
  private Bucket(ORMap<String, KeyEntry> map, Object parent, long estimatedBytes,
                 Map<UniqueAddress, Long> prunedDots) {
    this.map = map;
    this.parent = parent;
    this.estimatedBytes = estimatedBytes;
    this.prunedDots = prunedDots;
  }

  /** A bucket as received or read back: related to no state on this node. */
  static Bucket of(ORMap<String, KeyEntry> map) {
    return new Bucket(map, null, -1, Map.of());
  }

  ORMap<String, KeyEntry> map() {
    return map;
  }

  /** The key's entry, or null if the bucket does not hold the key. */
  public KeyEntry get(String key) {
    return map.get(key).getOrElse(() -> null);
  }

  /**
   * What a write by {@code self} starts from: the key's entry (empty if the
   * bucket does not hold it), counting {@code self}'s dots on from every dot
   * {@code self} has used in this bucket. A key can be removed (a purge, a
   * deleted counter) while another replica still holds it, and come back,
   * written again here or merged from a replica that never saw those dots;
   * counting from the entry alone would give a new write a dot that replica
   * takes for an old version. Every write by {@code self} adds the key to the
   * map's key set under a new dot of {@code self}, so that set's version
   * vector bounds the dots of {@code self}'s writes; pruning can give
   * {@code self} dots past it, and those are bounded by {@link #prunedDots}.
   * Raising the count claims no other node's writes: the dots it covers are
   * {@code self}'s own, all in this entry or removed here.
   */
  public KeyEntry entryToWrite(UniqueAddress self, String key) {
    KeyEntry held = get(key);
    long used = Math.max(map.keys().vvector().versionAt(self), prunedDots.getOrDefault(self, 0L));
    return (held == null ? KeyEntry.EMPTY : held).countingFrom(self, used);
  }

  public Map<String, KeyEntry> entries() {
    return map.getEntries();
  }

  /** This node's write of {@code entry} under {@code key}, replacing what the key held. */
  public Bucket put(SelfUniqueAddress self, String key, KeyEntry entry) {
    KeyEntry old = get(key);
    return new Bucket(map.put(self, key, entry), identity, grown(key, old, entry), prunedDots);
  }

  /** This node's removal of {@code key}. */
  public Bucket remove(SelfUniqueAddress self, String key) {
    return new Bucket(map.remove(self, key), identity, grown(key, get(key), null), prunedDots);
  }

  private long grown(String key, KeyEntry old, KeyEntry next) {
    long known = estimatedBytes;
    if (known < 0) return -1;
    return known - (old == null ? 0 : bytes(key, old)) + (next == null ? 0 : bytes(key, next));
  }

  /** About how many bytes {@code entry} under {@code key} takes: the map holds the key twice (entry and dot). */
  private static long bytes(String key, KeyEntry entry) {
    return entry.estimatedBytes() + 2L * key.getBytes(StandardCharsets.UTF_8).length;
  }

  /** About how many bytes the bucket's entries take when replicated. */
  public long estimatedBytes() {
    long known = estimatedBytes;
    if (known < 0) {
      known = 0;
      for (Map.Entry<String, KeyEntry> e : entries().entrySet()) known += bytes(e.getKey(), e.getValue());
      estimatedBytes = known;
    }
    return known;
  }

  @Override
  public Bucket mergeData(Bucket that) {
    if (that.parent == identity) return that.resetDelta();
    if (parent == that.identity) return resetDelta();
    return new Bucket(map.merge(that.map), null, -1, higher(prunedDots, that.prunedDots));
  }

  private static Map<UniqueAddress, Long> higher(Map<UniqueAddress, Long> a, Map<UniqueAddress, Long> b) {
    if (b.isEmpty()) return a;
    if (a.isEmpty()) return b;
    Map<UniqueAddress, Long> both = new HashMap<>(a);
    b.forEach((node, counter) -> both.merge(node, counter, Math::max));
    return Map.copyOf(both);
  }

  @Override
  public Optional<Delta> deltaData() {
    return map.delta().isEmpty() ? Optional.empty() : Optional.of(new Delta(map.delta().get()));
  }

  @Override
  public Bucket mergeDeltaData(Delta that) {
    return new Bucket(map.mergeDelta(that.op), null, -1, prunedDots);
  }

  @Override
  public Bucket resetDelta() {
    return map.delta().isEmpty() ? this : new Bucket(map.resetDelta(), parent, estimatedBytes, prunedDots);
  }

  @Override
  public scala.collection.immutable.Set<UniqueAddress> modifiedByNodes() {
    return map.modifiedByNodes();
  }

  @Override
  public boolean needPruningFrom(UniqueAddress removed) {
    return map.needPruningFrom(removed);
  }

  /**
   * Moves what {@code removed} wrote to {@code collapseInto}; each key gives
   * its versions new dots of {@code collapseInto} ({@link KeyEntry#prune}),
   * and the highest of them is remembered in {@link #prunedDots}.
   */
  @Override
  public Bucket prune(UniqueAddress removed, UniqueAddress collapseInto) {
    ORMap<String, KeyEntry> pruned = map.prune(removed, collapseInto);
    long highest = 0;
    for (KeyEntry e : pruned.getEntries().values()) highest = Math.max(highest, e.clock().get(collapseInto));
    return new Bucket(pruned, null, -1, higher(prunedDots, Map.of(collapseInto, highest)));
  }

  @Override
  public Bucket pruningCleanup(UniqueAddress removed) {
    return new Bucket(map.pruningCleanup(removed), null, -1, prunedDots);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bucket b && map.equals(b.map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return "Bucket" + map.entries();
  }

  /** A bucket's change as the replicator sends it to the other nodes: the map's own delta. */
  public static final class Delta extends AbstractReplicatedData<Delta>
      implements RequiresCausalDeliveryOfDeltas, ReplicatedDeltaSize {

    private final ORMap.DeltaOp op;

    Delta(ORMap.DeltaOp op) {
      this.op = op;
    }

    ORMap.DeltaOp op() {
      return op;
    }

    @Override
    public Delta mergeData(Delta that) {
      return new Delta((ORMap.DeltaOp) op.merge(that.op));
    }

    @Override
    public Bucket zero() {
      return EMPTY;
    }

    @Override
    public int deltaSize() {
      return op instanceof ReplicatedDeltaSize sized ? sized.deltaSize() : 1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Delta d && op.equals(d.op);
    }

    @Override
    public int hashCode() {
      return op.hashCode();
    }

    @Override
    public String toString() {
      return "Bucket.Delta[" + op + "]";
    }
  }
}
