package io.actorkv.eventual;

import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.Replicator;

/**
 * Whole eventual namespaces on this node's replicas: whether one holds
 * anything, and the periodic purge of keys with nothing readable left.
 */
public final class EventualMaintenance {

  private final LocalReplicator replicator;
  private final EventualSettings settings;
  private final Clock clock;

  EventualMaintenance(LocalReplicator replicator, EventualSettings settings, Clock clock) {
    this.replicator = replicator;
    this.settings = settings;
    this.clock = clock;
  }

  /** Whether this node's replicas of the namespace hold any live value or counter. */
  CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition ns) {
    return eachBucket(ns, (bucket, read) -> {
      long now = clock.millis();
      return CompletableFuture.completedFuture(read.bucket() != null
          && read.bucket().entries().values().stream().anyMatch(entry -> entry.readableAt(ns.conflicts(), now)));
    }).thenApply(live -> live.contains(true));
  }

  /** This node's replicas of a namespace: its keys, their replicated bytes, and its largest bucket's. */
  public record Sizes(long keys, long bytes, long largestBucketBytes) {}

  /** How large this node's replicas of the namespace are, for the metrics. */
  public CompletionStage<Sizes> sizes(NamespaceDefinition ns) {
    return eachBucket(ns, (bucket, read) -> CompletableFuture.completedFuture(read.bucket() == null
            ? new Sizes(0, 0, 0)
            : new Sizes(read.bucket().entries().size(), read.bucket().estimatedBytes(),
                read.bucket().estimatedBytes())))
        .thenApply(all -> new Sizes(all.stream().mapToLong(Sizes::keys).sum(),
            all.stream().mapToLong(Sizes::bytes).sum(),
            all.stream().mapToLong(Sizes::largestBucketBytes).max().orElse(0)));
  }

  /**
   * Deletes a removed namespace's buckets from every replica (Distributed
   * Data spreads the deletion), so that their memory is freed. A namespace of
   * the same name made later has other bucket keys ({@code storageName}).
   */
  CompletionStage<Void> forget(NamespaceDefinition ns) {
    List<CompletableFuture<Object>> deletes = new ArrayList<>();
    for (int b = 0; b < ns.buckets(); b++) deletes.add(replicator.delete(EventualStore.bucketKey(ns.storageName(), b)));
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
  }

  /**
   * Every {@code actorkv.eventual.purge-interval}, purges every eventual
   * namespace on this node ({@link #purge}).
   */
  public void schedulePurge(ActorSystem<?> system, Namespaces namespaces) {
    var interval = settings.purgeInterval();
    system.scheduler().scheduleWithFixedDelay(interval, interval, () -> namespaces.list()
        .thenCompose(all -> CompletableFuture.allOf(all.stream()
            .filter(ns -> ns.mode() == Mode.EVENTUAL)
            .map(ns -> purge(ns).toCompletableFuture())
            .toArray(CompletableFuture[]::new)))
        .whenComplete((done, failure) -> {
          if (failure != null) system.log().warn("purging eventual namespaces failed; next try in {}", interval, failure);
        }), system.executionContext());
  }

  /**
   * Removes, from this node's replicas of the namespace, keys that hold
   * nothing readable any more: values all expired, or deleted longer ago
   * than the tombstone grace (a replica cut off for longer than that could
   * bring a deleted value back; docs/consistency.md). Answers how many keys
   * were removed.
   */
  public CompletionStage<Integer> purge(NamespaceDefinition ns) {
    return eachBucket(ns, (bucket, read) -> {
      long now = clock.millis();
      return read.bucket() == null || read.bucket().entries().values().stream().noneMatch(e -> purgeable(e, now))
          ? CompletableFuture.completedFuture(0)
          : purge(bucket);
    }).thenApply(removed -> removed.stream().mapToInt(Integer::intValue).sum());
  }

  /** {@code work} on this node's copy of each of the namespace's buckets, all at once; their results in order. */
  private <T> CompletableFuture<List<T>> eachBucket(
      NamespaceDefinition ns, BiFunction<BucketKey, LocalReplicator.BucketRead, CompletableFuture<T>> work) {
    List<CompletableFuture<T>> buckets = new ArrayList<>();
    for (int b = 0; b < ns.buckets(); b++) {
      var bucket = EventualStore.bucketKey(ns.storageName(), b);
      buckets.add(replicator.read(bucket, Level.LOCAL).thenCompose(read -> work.apply(bucket, read)));
    }
    return CompletableFuture.allOf(buckets.toArray(CompletableFuture[]::new))
        .thenApply(done -> buckets.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<Integer> purge(BucketKey bucket) {
    var removed = new AtomicReference<Integer>(0);
    Function<Bucket, Bucket> modify = state -> {
      long now = clock.millis();
      Bucket next = state;
      int n = 0;
      for (var e : state.entries().entrySet()) {
        if (purgeable(e.getValue(), now)) {
          next = next.remove(replicator.self(), e.getKey());
          n++;
        }
      }
      removed.set(n);
      return next;
    };
    return replicator.update(bucket, Level.LOCAL, modify)
        .thenApply(response -> response instanceof Replicator.UpdateSuccess ? removed.get() : 0);
  }

  private boolean purgeable(KeyEntry entry, long now) {
    long grace = settings.tombstoneGrace().toMillis();
    return !entry.hasCounter() && entry.versions().stream()
        .allMatch(v -> v.tombstone() ? v.timestamp() + grace < now : !v.liveAt(now));
  }
}
