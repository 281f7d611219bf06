package io.actorkv.eventual;

import io.actorkv.base.Stages;
import io.actorkv.namespace.Level;
import io.actorkv.store.ReplicasUnavailable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.pattern.Patterns;

/**
 * This node's Distributed Data replicator, as the eventual store uses it:
 * buckets read and updated at a {@link Level}. Asked directly (the classic
 * replicator), one hop fewer than through the typed one.
 */
final class LocalReplicator {

  private final ActorRef replicator;
  private final SelfUniqueAddress self;
  private final EventualSettings settings;
  private final EventualDurability durability;

  LocalReplicator(ActorSystem<?> system, EventualSettings settings) {
    this.replicator = DistributedData.get(system.classicSystem()).replicator();
    this.self = DistributedData.get(system.classicSystem()).selfUniqueAddress();
    this.settings = settings;
    this.durability = EventualDurability.get(system.classicSystem());
  }

  SelfUniqueAddress self() {
    return self;
  }

  /** A bucket as read: {@code bucket} is null if it was never written, or if the level was not {@code reached}. */
  record BucketRead(boolean reached, Bucket bucket) {
    /** A replicator's answer to a {@link Replicator.Get}: a bucket, not found, or (anything else) not reached. */
    static BucketRead of(Object response) {
      if (response instanceof Replicator.GetSuccess<?> success) {
        return new BucketRead(true, (Bucket) success.dataValue());
      }
      return new BucketRead(response instanceof Replicator.NotFound<?>, null);
    }

    KeyEntry entry(String key) {
      return bucket == null ? null : bucket.get(key);
    }
  }

  /** Fails with {@link ReplicasUnavailable} if the replicator stopped ({@link EventualDurability#broken}). */
  CompletableFuture<BucketRead> read(BucketKey bucket, Level level) {
    var broken = durability.broken();
    if (broken.isPresent()) return CompletableFuture.failedFuture(new ReplicasUnavailable(broken.get(), false));
    return ask(new Replicator.Get<>(bucket, readConsistency(level))).thenApply(response -> {
      if (response instanceof Replicator.GetResponse<?>) return BucketRead.of(response);
      throw new IllegalStateException("unexpected replicator answer " + response);
    });
  }

  /**
   * Why a client's write must be refused now, changing nothing, if it must:
   * replicas cannot reach this node's disk, and a write taken now would be
   * answered and then lost with the node. The node's own upkeep (purging
   * expired values and tombstones, which frees room) goes on.
   */
  Optional<ReplicasUnavailable> writesRefused() {
    return durability.failure().map(why -> new ReplicasUnavailable(why, false));
  }

  /** The replicator's answer to an update of {@code bucket} by {@code modify}, at {@code level}. */
  CompletableFuture<Object> update(BucketKey bucket, Level level, Function<Bucket, Bucket> modify) {
    return ask(new Replicator.Update<>(bucket, Bucket.EMPTY, writeConsistency(level), modify));
  }

  /** Deletes {@code bucket} here; the deletion spreads to the other replicas. */
  CompletableFuture<Object> delete(BucketKey bucket) {
    return ask(new Replicator.Delete<>(bucket, Replicator.writeLocal()));
  }

  private Replicator.ReadConsistency readConsistency(Level level) {
    Duration t = settings.levelTimeout();
    return switch (level.kind()) {
      case LOCAL -> Replicator.readLocal();
      case MAJORITY -> new Replicator.ReadMajority(t);
      case ALL -> new Replicator.ReadAll(t);
      case COUNT -> new Replicator.ReadFrom(level.count(), t);
    };
  }

  private Replicator.WriteConsistency writeConsistency(Level level) {
    Duration t = settings.levelTimeout();
    return switch (level.kind()) {
      case LOCAL -> Replicator.writeLocal();
      case MAJORITY -> new Replicator.WriteMajority(t);
      case ALL -> new Replicator.WriteAll(t);
      case COUNT -> new Replicator.WriteTo(level.count(), t);
    };
  }

  /** Given longer than any level's timeout, so that the replicator always answers first. */
  private CompletableFuture<Object> ask(Object message) {
    return Stages.direct(Patterns.ask(replicator, message, settings.levelTimeout().plusSeconds(5)));
  }
}
