package io.actorkv.eventual;

import io.actorkv.Stages;
import io.actorkv.eventual.EventualReply.LevelNotReached;
import io.actorkv.namespace.Conflicts;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.NamespaceDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * The eventual store as the rest of the node sees it: reads, writes, deletes
 * and increments of one key at a requested level, over Distributed Data. A
 * namespace's keys are hashed into its buckets, each a replicated
 * {@link Bucket} of {@link KeyEntry}s. Every decision about a key
 * (preconditions, kinds, conflicts) is taken inside the local replicator's
 * update, against this node's current state, and then replicates.
 */
public final class EventualStore {

  /** Bucket ids are {@code ev|<namespace>|<n>}; all of them are durable (see eventual.conf). */
  public static final String KEY_PREFIX = "ev|";

  private final ActorSystem<?> system;
  /** The classic replicator: asked directly, one hop fewer than through the typed one. */
  private final ActorRef replicator;
  private final SelfUniqueAddress self;
  private final EventualSettings settings;
  private final Clock clock;

  public EventualStore(ActorSystem<?> system, EventualSettings settings, Clock clock) {
    this.system = system;
    this.replicator = DistributedData.get(system.classicSystem()).replicator();
    this.self = DistributedData.get(system.classicSystem()).selfUniqueAddress();
    this.settings = settings;
    this.clock = clock;
  }

  public static BucketKey bucketKey(String namespace, int bucket) {
    return new BucketKey(KEY_PREFIX + namespace + "|" + bucket);
  }

  /**
   * The bucket of {@code key}: String.hashCode (which the language fixes, so
   * every node agrees) spread by Fibonacci hashing. The high half of the
   * 64-bit product is taken: the low bits of a product only reshuffle the low
   * bits of the hash, which left some buckets with eight times as many keys
   * as others.
   */
  public static int bucketOf(String key, int buckets) {
    return Math.floorMod((int) ((key.hashCode() * 0x9E3779B97F4A7C15L) >>> 32), buckets);
  }

  private static BucketKey bucketKey(NamespaceDefinition ns, String key) {
    return bucketKey(ns.name(), bucketOf(key, ns.buckets()));
  }

  // ---------------------------------------------------------------- reads

  public CompletionStage<EventualReply> get(NamespaceDefinition ns, String key, Level level) {
    var bucket = bucketKey(ns, key);
    return read(bucket, level).thenCompose(read -> read.reached()
        ? CompletableFuture.completedStage(view(ns, read.entry(key)))
        : levelNotReached(false, bucket, key, level, entry -> true));
  }

  /** A bucket as read: {@code bucket} is null if it was never written, or if the level was not {@code reached}. */
  private record BucketRead(boolean reached, Bucket bucket) {
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

  private CompletableFuture<BucketRead> read(BucketKey bucket, Level level) {
    return askReplicator(new Replicator.Get<>(bucket, readConsistency(level))).thenApply(response -> {
      if (response instanceof Replicator.GetResponse<?>) return BucketRead.of(response);
      throw new IllegalStateException("unexpected replicator answer " + response);
    });
  }

  /** What a reader sees of {@code entry}: the register by the namespace's conflict rule, else the counter. */
  private EventualReply view(NamespaceDefinition ns, KeyEntry entry) {
    if (entry == null) return new EventualReply.NotFound();
    long now = clock.millis();
    List<Version> values = liveValues(ns, entry, now);
    if (!values.isEmpty()) return new EventualReply.Found(values, entry.clock());
    if (entry.hasCounter()) return new EventualReply.CounterValue(entry.counterValue());
    return new EventualReply.NotFound();
  }

  private static List<Version> liveValues(NamespaceDefinition ns, KeyEntry entry, long now) {
    return ns.conflicts() == Conflicts.SIBLINGS ? entry.siblingsAt(now) : entry.winnerAt(now).stream().toList();
  }

  // ---------------------------------------------------------------- writes

  /**
   * Stores a value. {@code context} (from an earlier read) says which versions
   * it supersedes; without one, a siblings namespace keeps it next to any
   * value already there, and a last-writer-wins namespace supersedes what this
   * node has. {@code ifAbsent} is checked against this node's state only.
   */
  public CompletionStage<EventualReply> put(NamespaceDefinition ns, String key, byte[] value, String contentType,
                                            Duration ttl, Optional<VClock> context, boolean ifAbsent, Level level) {
    Duration effectiveTtl = ttl != null ? ttl : ns.defaultTtl();
    return update(ns, key, level, current -> {
      long now = clock.millis();
      if (current.hasCounter()) return Change.refuse(new EventualReply.WrongKind("counter"));
      boolean exists = !liveValues(ns, current, now).isEmpty();
      if (ifAbsent && exists) return Change.refuse(new EventualReply.PreconditionFailed());
      long expiresAt = effectiveTtl == null ? 0 : now + effectiveTtl.toMillis();
      long timestamp = Math.max(now, current.latestTimestamp() + 1);
      KeyEntry next = current.write(self.uniqueAddress(), supersedes(ns, current, context),
          Version.value(value, contentType, timestamp, expiresAt));
      return Change.to(next, new EventualReply.Written(next.clock(), !exists));
    });
  }

  /**
   * Deletes the value (a tombstone that wins or loses like a write), or a
   * whole counter. Without a context it deletes every version this node has.
   * Answers not found, writing nothing, if this node sees no live value.
   */
  public CompletionStage<EventualReply> delete(NamespaceDefinition ns, String key, Optional<VClock> context,
                                               Level level) {
    return update(ns, key, level, current -> {
      long now = clock.millis();
      if (current.hasCounter()) return Change.removeKey(new EventualReply.Deleted(current.clock()));
      if (liveValues(ns, current, now).isEmpty()) return Change.refuse(new EventualReply.NotFound());
      VClock seen = context.orElse(current.clock());
      KeyEntry next = current.write(self.uniqueAddress(), supersedes(ns, current, Optional.of(seen)),
          Version.tombstone(Math.max(now, current.latestTimestamp() + 1)));
      return Change.to(next, new EventualReply.Deleted(next.clock()));
    });
  }

  /** Adds {@code by} to the key's counter; answers the value this node then sees. */
  public CompletionStage<EventualReply> increment(NamespaceDefinition ns, String key, long by, Level level) {
    return update(ns, key, level, current -> {
      if (!liveValues(ns, current, clock.millis()).isEmpty()) return Change.refuse(new EventualReply.WrongKind("value"));
      try {
        KeyEntry next = current.increment(self.uniqueAddress(), by);
        return Change.to(next, new EventualReply.Counted(next.counterValue()));
      } catch (ArithmeticException e) {
        return Change.refuse(new EventualReply.CounterOverflow());
      }
    });
  }

  /** Siblings: exactly what the client saw. Last writer wins: also everything this node has. */
  private static VClock supersedes(NamespaceDefinition ns, KeyEntry current, Optional<VClock> context) {
    VClock given = context.orElse(VClock.EMPTY);
    return ns.conflicts() == Conflicts.SIBLINGS ? given : given.merge(current.clock());
  }

  /** What an update does to one key: a new entry, removal of the key, or nothing; and the answer. */
  private record Change(KeyEntry next, boolean remove, EventualReply reply) {
    static Change to(KeyEntry next, EventualReply reply) {
      return new Change(next, false, reply);
    }

    static Change removeKey(EventualReply reply) {
      return new Change(null, true, reply);
    }

    static Change refuse(EventualReply reply) {
      return new Change(null, false, reply);
    }
  }

  /** Thrown inside the replicator's update to leave the bucket as it is; carries the answer. */
  private static final class Refused extends RuntimeException {
    final EventualReply reply;

    Refused(EventualReply reply) {
      super(reply.toString(), null, false, false);
      this.reply = reply;
    }
  }

  private CompletionStage<EventualReply> update(NamespaceDefinition ns, String key, Level level,
                                                Function<KeyEntry, Change> change) {
    var bucket = bucketKey(ns, key);
    var outcome = new AtomicReference<Change>();
    Function<Bucket, Bucket> modify = state -> {
      KeyEntry current = state.entryToWrite(self.uniqueAddress(), key);
      Change c = change.apply(current);
      outcome.set(c);
      if (c.remove()) return state.remove(self, key);
      if (c.next() == null) throw new Refused(c.reply());
      checkBucketSize(state, current, c.next());
      return state.put(self, key, c.next());
    };
    return askReplicator(new Replicator.Update<>(bucket, Bucket.EMPTY, writeConsistency(level), modify))
        .thenCompose(response -> {
          if (response instanceof Replicator.UpdateSuccess) return CompletableFuture.completedStage(outcome.get().reply());
          if (response instanceof Replicator.ModifyFailure<?> failure && failure.cause() instanceof Refused r) {
            return CompletableFuture.completedStage(r.reply);
          }
          if (response instanceof Replicator.UpdateTimeout) {
            Change c = outcome.get();
            return levelNotReached(true, bucket, key, level, c.remove() ? entry -> entry == null
                : entry -> entry != null && c.next().clock().seenBy(entry.clock()));
          }
          if (response instanceof Replicator.ModifyFailure<?> failure) {
            return CompletableFuture.failedStage(failure.cause());
          }
          return CompletableFuture.failedStage(new IllegalStateException(
              "the replicator could not store the write on this node: " + response));
        });
  }

  /** Refuses a write that would make the bucket too large to replicate in one message. */
  private void checkBucketSize(Bucket bucket, KeyEntry current, KeyEntry next) {
    int growth = next.estimatedBytes() - current.estimatedBytes();
    if (growth <= 0) return;
    long bytes = bucket.estimatedBytes() + growth;
    if (bytes > settings.maxBucketBytes()) {
      throw new Refused(new EventualReply.BucketFull(bytes, settings.maxBucketBytes()));
    }
  }

  // ---------------------------------------------------------------- namespace-wide

  /** Whether this node's replicas of the namespace hold any live value or counter. */
  public CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition ns) {
    return eachBucket(ns, (bucket, read) -> CompletableFuture.completedFuture(read.bucket() != null
            && read.bucket().entries().values().stream()
                .anyMatch(entry -> !(view(ns, entry) instanceof EventualReply.NotFound))))
        .thenApply(live -> live.contains(true));
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
      NamespaceDefinition ns, BiFunction<BucketKey, BucketRead, CompletableFuture<T>> work) {
    List<CompletableFuture<T>> buckets = new ArrayList<>();
    for (int b = 0; b < ns.buckets(); b++) {
      var bucket = bucketKey(ns.name(), b);
      buckets.add(read(bucket, Level.LOCAL).thenCompose(read -> work.apply(bucket, read)));
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
          next = next.remove(self, e.getKey());
          n++;
        }
      }
      removed.set(n);
      return next;
    };
    return askReplicator(new Replicator.Update<>(bucket, Bucket.EMPTY, Replicator.writeLocal(), modify))
        .thenApply(response -> response instanceof Replicator.UpdateSuccess ? removed.get() : 0);
  }

  private boolean purgeable(KeyEntry entry, long now) {
    long grace = settings.tombstoneGrace().toMillis();
    return !entry.hasCounter() && entry.versions().stream()
        .allMatch(v -> v.tombstone() ? v.timestamp() + grace < now : !v.liveAt(now));
  }

  // ---------------------------------------------------------------- levels

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

  /** This node's replicator, given longer than any level's timeout, so that it always answers first. */
  private CompletableFuture<Object> askReplicator(Object message) {
    return Stages.direct(Patterns.ask(replicator, message, settings.levelTimeout().plusSeconds(5)));
  }

  /**
   * The answer when a level was not reached: asks every other member's
   * replicator for its local copy of the bucket and counts, with this node,
   * those that answer in time and whose entry for {@code key} satisfies
   * {@code test} (given {@code null} where the key is absent). Only runs on
   * that failure, to say how far the request got.
   */
  private CompletionStage<EventualReply> levelNotReached(boolean write, BucketKey bucket,
                                                         String key, Level level, Predicate<KeyEntry> test) {
    UniqueAddress me = self.uniqueAddress();
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (!isReplica(m) || m.uniqueAddress().equals(me)) continue;
      var selection = system.classicSystem().actorSelection(m.address() + "/system/ddataReplicator");
      var get = new Replicator.Get<>(bucket, Replicator.readLocal());
      answers.add(Stages.direct(Patterns.ask(selection, get, settings.probeTimeout()))
          .handle((answer, failure) -> {
            BucketRead read = BucketRead.of(answer);
            return read.reached() && test.test(read.entry(key));
          }));
    }
    int members = answers.size() + 1;
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
      int holding = 1 + (int) answers.stream().filter(CompletableFuture::join).count();
      return new LevelNotReached(write, level, level.required(members), holding, members);
    });
  }

  private static boolean isReplica(Member m) {
    return m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()
        || m.status() == MemberStatus.leaving();
  }
}
