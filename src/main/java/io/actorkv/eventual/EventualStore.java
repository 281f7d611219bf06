package io.actorkv.eventual;

import io.actorkv.crypto.DataKeys;
import io.actorkv.namespace.Conflicts;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.Expiry;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.ModeStore;
import io.actorkv.store.Precondition;
import io.actorkv.store.ReplicasUnavailable;
import io.actorkv.store.RequestContext;
import io.actorkv.store.Stamp;
import io.actorkv.store.Value;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.Replicator;

/**
 * The eventual store's key operations: reads, writes, deletes and increments
 * of one key at a requested level, over Distributed Data. A namespace's keys
 * are hashed into its buckets, each a replicated {@link Bucket} of
 * {@link KeyEntry}s. Every decision about a key (preconditions, kinds,
 * conflicts) is taken inside the local replicator's update, against this
 * node's current state, and then replicates. The causal contexts clients
 * carry are made and checked here, nowhere else.
 */
public final class EventualStore implements ModeStore {

  /** Bucket ids are {@code ev|<namespace>|<n>}; all of them are durable (see eventual.conf). */
  public static final String KEY_PREFIX = "ev|";

  /** How a counter reads, as a listing shows it. */
  private static final String COUNTER_CONTENT_TYPE = "text/plain; charset=UTF-8";

  private final LocalReplicator replicator;
  private final EventualSettings settings;
  private final Clock clock;
  private final LevelProbe probe;
  private final CausalContexts contexts;
  private final EventualMaintenance maintenance;
  private final VersionSeal seal;

  private EventualStore(LocalReplicator replicator, EventualSettings settings, Clock clock, LevelProbe probe,
                        CausalContexts contexts, VersionSeal seal) {
    this.replicator = replicator;
    this.settings = settings;
    this.clock = clock;
    this.probe = probe;
    this.contexts = contexts;
    this.seal = seal;
    this.maintenance = new EventualMaintenance(replicator, settings, clock);
  }

  /**
   * @param contextSecret the cluster's secret for the causal contexts it issues ({@link CausalContexts})
   * @param keys the namespaces' data keys, which seal values at rest ({@link DataKeys#OFF}: stored in the clear)
   */
  public static EventualStore start(ActorSystem<?> system, EventualSettings settings, Clock clock,
                                    byte[] contextSecret, DataKeys keys) {
    LocalReplicator replicator = new LocalReplicator(system, settings);
    return new EventualStore(replicator, settings, clock,
        new LevelProbe(system, replicator.self().uniqueAddress(), settings), new CausalContexts(contextSecret),
        new VersionSeal(keys));
  }

  /** Purging and the other work on whole namespaces. */
  public EventualMaintenance maintenance() {
    return maintenance;
  }

  @Override
  public Mode mode() {
    return Mode.EVENTUAL;
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
    return bucketKey(ns.storageName(), bucketOf(key, ns.buckets()));
  }

  // ---------------------------------------------------------------- reads

  @Override
  public CompletionStage<KeyOutcome> get(RequestContext context, KeyRequest.Get request) {
    if (request.revision().isPresent()) return historyRefused();
    NamespaceDefinition ns = request.namespace();
    Level level = request.level().orElse(ns.read());
    var bucket = bucketKey(ns, request.key());
    return replicator.read(bucket, level).thenCompose(read -> read.reached()
        ? view(ns, request.key(), read.entry(request.key()))
        : probe.levelNotReached(false, bucket, request.key(), level, entry -> true));
  }

  /** {@link #viewNow}, once the namespace's data key is loaded if {@code entry} holds a sealed value. */
  private CompletionStage<KeyOutcome> view(NamespaceDefinition ns, String key, KeyEntry entry) {
    if (entry == null || !entry.holdsSealed()) {
      return CompletableFuture.completedStage(viewNow(ns, key, entry));
    }
    return seal.loadForReading(ns.storageName()).thenApply(ready -> viewNow(ns, key, entry));
  }

  /** What a reader sees of {@code entry}: the register by the namespace's conflict rule, else the counter. */
  private KeyOutcome viewNow(NamespaceDefinition ns, String key, KeyEntry entry) {
    if (entry == null) return new KeyOutcome.NotFound();
    List<Version> values = entry.visibleAt(ns.conflicts(), clock.millis());
    if (!values.isEmpty()) {
      return new KeyOutcome.Found(values.stream().map(v -> seal.open(ns.storageName(), key, v).toValue()).toList(),
          stamp(ns, key, entry));
    }
    if (entry.hasCounter()) return new KeyOutcome.CounterFound(entry.counter());
    return new KeyOutcome.NotFound();
  }

  /**
   * A page of the range's live keys from every bucket of the namespace, read
   * at {@code r} (this node's replicas by default; {@code majority} merges a
   * majority's), in byte order. Each bucket is read whole, so a listing
   * costs the namespace's size however small the page.
   */
  @Override
  public CompletionStage<KeyOutcome> list(RequestContext context, KeyRequest.List request) {
    NamespaceDefinition ns = request.namespace();
    Level level = request.level().orElse(Level.LOCAL);
    List<CompletableFuture<LocalReplicator.BucketRead>> reads = new ArrayList<>();
    for (int b = 0; b < ns.buckets(); b++) reads.add(replicator.read(bucketKey(ns.storageName(), b), level));
    CompletionStage<Void> keyReady = request.withValues() ? seal.loadForReading(ns.storageName())
        : CompletableFuture.completedStage(null);
    CompletableFuture<Void> all = CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
    return all.thenCombine(keyReady, (read, ready) -> ready).thenCompose(done -> {
      for (int b = 0; b < reads.size(); b++) {
        if (!reads.get(b).join().reached()) {
          return probe.levelNotReached(false, bucketKey(ns.storageName(), b), "", level, entry -> true);
        }
      }
      long now = clock.millis();
      byte[] after = request.after().map(KeyRange::utf8).orElse(null);
      List<Map.Entry<byte[], KeyOutcome.Listed>> live = new ArrayList<>();
      for (var read : reads) {
        Bucket bucket = read.join().bucket();
        if (bucket == null) continue;
        for (var e : bucket.entries().entrySet()) {
          byte[] key = KeyRange.utf8(e.getKey());
          if (!request.range().contains(key) || (after != null && Arrays.compareUnsigned(key, after) <= 0)) continue;
          KeyOutcome.Listed listed = listed(ns, e.getKey(), e.getValue(), now, request.withValues());
          if (listed != null) live.add(Map.entry(key, listed));
        }
      }
      if (request.countOnly()) return CompletableFuture.completedStage(new KeyOutcome.KeyCount(live.size()));
      live.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
      List<KeyOutcome.Listed> page = new ArrayList<>();
      long bytes = 0;
      for (var e : live) {
        KeyOutcome.Listed listed = e.getValue();
        if (page.size() == request.limit()
            || (request.withValues() && !page.isEmpty() && bytes + listed.size() > request.maxValueBytes())) {
          return CompletableFuture.completedStage(
              new KeyOutcome.Listing(page, Optional.of(page.get(page.size() - 1).key())));
        }
        bytes += listed.size();
        page.add(listed);
      }
      return CompletableFuture.completedStage(new KeyOutcome.Listing(page, Optional.empty()));
    });
  }

  /**
   * A key as a listing shows it: its newest visible value (opened only if
   * it is shown), or its counter; null if a read finds nothing.
   */
  private KeyOutcome.Listed listed(NamespaceDefinition ns, String key, KeyEntry entry, long now, boolean withValue) {
    List<Version> values = entry.visibleAt(ns.conflicts(), now);
    Value shown;
    int size;
    if (!values.isEmpty()) {
      Version newest = values.stream().max(Version.LWW_ORDER).orElseThrow();
      size = newest.plainLength();
      shown = withValue ? seal.open(ns.storageName(), key, newest).toValue()
          : newest.withValue(new byte[0], false).toValue();
    } else if (entry.hasCounter()) {
      byte[] count = entry.counter().toString().getBytes(StandardCharsets.US_ASCII);
      size = count.length;
      shown = new Value(withValue ? count : new byte[0], COUNTER_CONTENT_TYPE, Instant.EPOCH, Expiry.NEVER);
    } else {
      return null;
    }
    return new KeyOutcome.Listed(key, OptionalLong.empty(), shown, size, Math.max(1, values.size()), withValue);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Stores a value. The request's context (from an earlier read) says which
   * versions it supersedes; without one, a siblings namespace keeps it next
   * to any value already there, and a last-writer-wins namespace supersedes
   * what this node has. {@code If-None-Match} is checked against this node's
   * state only; compare-and-set needs a strong namespace.
   */
  @Override
  public CompletionStage<KeyOutcome> put(RequestContext context, KeyRequest.Put request) {
    NamespaceDefinition ns = request.namespace();
    KeyOutcome refused = refuse(context, request);
    if (refused != null) return CompletableFuture.completedStage(refused);
    Optional<VClock> seen;
    try {
      seen = request.context().map(token -> contexts.verify(ns.storageName(), request.key(), token));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedStage(badContext());
    }
    boolean ifAbsent = request.precondition() instanceof Precondition.IfAbsent;
    Duration ttl = request.ttl().orElse(ns.defaultTtl());
    return seal.loadForWriting(ns.storageName()).thenCompose(ready ->
        update(ns, request.key(), request.level().orElse(ns.write()), current -> {
      long now = clock.millis();
      if (current.hasCounter()) return Change.refuse(new KeyOutcome.WrongKind("counter"));
      boolean exists = !current.visibleAt(ns.conflicts(), now).isEmpty();
      if (ifAbsent && exists) return Change.refuse(new KeyOutcome.PreconditionFailed(true, OptionalLong.empty()));
      Expiry expires = Expiry.after(Instant.ofEpochMilli(now), ttl);
      long timestamp = Math.max(now, current.latestTimestamp() + 1);
      Version version = seal.seal(ns.storageName(), request.key(),
          Version.value(request.value(), request.contentType(), timestamp, expires));
      KeyEntry next = current.write(replicator.self().uniqueAddress(), supersedes(ns, current, seen), version);
      return Change.to(next, new KeyOutcome.Stored(stamp(ns, request.key(), next), !exists));
    }));
  }

  /**
   * Deletes the value (a tombstone that wins or loses like a write), or a
   * whole counter. Without a context it deletes every version this node has.
   * Answers not found, writing nothing, if this node sees no live value;
   * with {@code If-None-Match: *}, 412 if it sees one (or a counter).
   */
  @Override
  public CompletionStage<KeyOutcome> delete(RequestContext context, KeyRequest.Delete request) {
    NamespaceDefinition ns = request.namespace();
    KeyOutcome refused = refuse(context, request);
    if (refused != null) return CompletableFuture.completedStage(refused);
    Optional<VClock> given;
    try {
      given = request.context().map(token -> contexts.verify(ns.storageName(), request.key(), token));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedStage(badContext());
    }
    boolean ifAbsent = request.precondition() instanceof Precondition.IfAbsent;
    return update(ns, request.key(), request.level().orElse(ns.write()), current -> {
      long now = clock.millis();
      if (ifAbsent && (current.hasCounter() || !current.visibleAt(ns.conflicts(), now).isEmpty())) {
        return Change.refuse(new KeyOutcome.PreconditionFailed(true, OptionalLong.empty()));
      }
      if (current.hasCounter()) {
        return Change.removeKey(new KeyOutcome.Deleted(stamp(ns, request.key(), current)));
      }
      if (current.visibleAt(ns.conflicts(), now).isEmpty()) return Change.refuse(new KeyOutcome.NotFound());
      VClock seen = given.orElse(current.clock());
      KeyEntry next = current.write(replicator.self().uniqueAddress(), supersedes(ns, current, Optional.of(seen)),
          Version.tombstone(Math.max(now, current.latestTimestamp() + 1)));
      return Change.to(next, new KeyOutcome.Deleted(stamp(ns, request.key(), next)));
    });
  }

  /** Adds {@code by} to the key's counter; answers the value this node then sees. */
  @Override
  public CompletionStage<KeyOutcome> increment(RequestContext context, KeyRequest.Increment request) {
    NamespaceDefinition ns = request.namespace();
    KeyOutcome refused = refuse(context, request);
    if (refused != null) return CompletableFuture.completedStage(refused);
    return update(ns, request.key(), request.level().orElse(ns.write()), current -> {
      if (!current.visibleAt(ns.conflicts(), clock.millis()).isEmpty()) {
        return Change.refuse(new KeyOutcome.WrongKind("value"));
      }
      try {
        KeyEntry next = current.increment(replicator.self().uniqueAddress(), request.by());
        return Change.to(next, new KeyOutcome.Counted(next.counter().longValueExact(), OptionalLong.empty()));
      } catch (ArithmeticException e) {
        return Change.refuse(new KeyOutcome.CounterOverflow());
      }
    });
  }

  /** Range deletes need the key index of strong namespaces. */
  @Override
  public CompletionStage<KeyOutcome> deleteRange(RequestContext context, KeyRequest.DeleteRange request) {
    return CompletableFuture.completedStage(new KeyOutcome.Invalid("range_delete_requires_strong",
        "DELETE /v1/kv/{namespace}?prefix= needs a strong namespace; delete an eventual namespace's keys one by one"));
  }

  /** An eventual key keeps no revisions: its versions are merged, not appended. */
  @Override
  public CompletionStage<KeyOutcome> revert(RequestContext context, KeyRequest.Revert request) {
    return historyRefused();
  }

  @Override
  public CompletionStage<KeyOutcome> history(RequestContext context, KeyRequest.History request) {
    return historyRefused();
  }

  private static CompletionStage<KeyOutcome> historyRefused() {
    return CompletableFuture.completedStage(new KeyOutcome.Invalid("history_requires_strong",
        "eventual namespaces keep no revisions (history, reads at a revision, revert): use a strong namespace"));
  }

  @Override
  public CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition namespace) {
    return maintenance.hasLiveKeys(namespace);
  }

  @Override
  public CompletionStage<Void> forget(NamespaceDefinition namespace) {
    return maintenance.forget(namespace);
  }

  /**
   * What a write to an eventual namespace refuses: an idempotency key, and
   * any precondition but {@code If-None-Match: *} (checked on this node only).
   * An idempotency key would need one place that decides whether the key was
   * seen, and a write here is taken by any node, even on both sides of a
   * partition, and may be stored locally while its level is not reached: two
   * retries could both apply, a counter would count twice. Refusing says so
   * instead of promising what the CRDTs cannot keep (docs/consistency.md).
   */
  private static KeyOutcome refuse(RequestContext context, KeyRequest request) {
    if (context.idempotencyKey().isPresent()) {
      return new KeyOutcome.Invalid("idempotency_not_supported", "Idempotency-Key needs a strong namespace: "
          + "an eventual write can be taken by several nodes at once, so a retry could apply twice; nothing was "
          + "written");
    }
    return request.refusedByEventual().orElse(null);
  }

  private static KeyOutcome badContext() {
    return new KeyOutcome.Invalid("bad_context",
        "X-KV-Context must be a context exactly as an earlier answer of this store gave it for this key; "
            + "nothing was written");
  }

  /** A key's version vector as clients carry it. */
  private Stamp stamp(NamespaceDefinition ns, String key, KeyEntry entry) {
    String stored = ns.storageName();
    return new Stamp.Context(entry.context(stored, key, e -> contexts.issue(stored, key, e.clock())));
  }

  /** Siblings: exactly what the client saw. Last writer wins: also everything this node has. */
  private static VClock supersedes(NamespaceDefinition ns, KeyEntry current, Optional<VClock> context) {
    VClock given = context.orElse(VClock.EMPTY);
    return ns.conflicts() == Conflicts.SIBLINGS ? given : given.merge(current.clock());
  }

  /** What an update does to one key: a new entry, removal of the key, or nothing; and the answer. */
  private record Change(KeyEntry next, boolean remove, KeyOutcome outcome) {
    static Change to(KeyEntry next, KeyOutcome outcome) {
      return new Change(next, false, outcome);
    }

    static Change removeKey(KeyOutcome outcome) {
      return new Change(null, true, outcome);
    }

    static Change refuse(KeyOutcome outcome) {
      return new Change(null, false, outcome);
    }
  }

  /** Thrown inside the replicator's update to leave the bucket as it is; carries the answer. */
  private static final class Refused extends RuntimeException {
    final KeyOutcome outcome;

    Refused(KeyOutcome outcome) {
      super(outcome.toString(), null, false, false);
      this.outcome = outcome;
    }
  }

  private CompletionStage<KeyOutcome> update(NamespaceDefinition ns, String key, Level level,
                                             Function<KeyEntry, Change> change) {
    var refused = replicator.writesRefused();
    if (refused.isPresent()) return CompletableFuture.failedStage(refused.get());
    var bucket = bucketKey(ns, key);
    var self = replicator.self();
    var outcome = new AtomicReference<Change>();
    Function<Bucket, Bucket> modify = state -> {
      KeyEntry current = state.entryToWrite(self.uniqueAddress(), key);
      Change c = change.apply(current);
      outcome.set(c);
      if (c.remove()) return state.remove(self, key);
      if (c.next() == null) throw new Refused(c.outcome());
      checkBucketSize(state, current, c.next());
      return state.put(self, key, c.next());
    };
    return replicator.update(bucket, level, modify).thenCompose(response -> {
      if (response instanceof Replicator.UpdateSuccess) return CompletableFuture.completedStage(outcome.get().outcome());
      if (response instanceof Replicator.ModifyFailure<?> failure && failure.cause() instanceof Refused r) {
        return CompletableFuture.completedStage(r.outcome);
      }
      if (response instanceof Replicator.UpdateTimeout) {
        Change c = outcome.get();
        return probe.levelNotReached(true, bucket, key, level, c.remove() ? entry -> entry == null
            : entry -> entry != null && c.next().clock().seenBy(entry.clock()));
      }
      if (response instanceof Replicator.ModifyFailure<?> failure) {
        return CompletableFuture.failedStage(failure.cause());
      }
      if (response instanceof Replicator.StoreFailure<?>) {
        return CompletableFuture.failedStage(new ReplicasUnavailable("this node could not write the replica to its "
            + "disk", true));
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
      throw new Refused(new KeyOutcome.BucketFull(bytes, settings.maxBucketBytes()));
    }
  }
}
