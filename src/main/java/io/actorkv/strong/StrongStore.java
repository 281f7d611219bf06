package io.actorkv.strong;

import io.actorkv.base.NotStored;
import io.actorkv.base.Stages;
import io.actorkv.base.Ticker;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.Change;
import io.actorkv.store.KeyIndex;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.ModeStore;
import io.actorkv.store.Precondition;
import io.actorkv.store.RequestContext;
import io.actorkv.store.Stamp;
import io.actorkv.store.ValueUnreadable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The strong store: reads and writes of one key, each answered by that key's
 * entity wherever sharding placed it, or, for a read of a key whose entity
 * runs on this node, from the state that entity published
 * ({@link LiveStates}). A returned stage fails with a
 * {@link java.util.concurrent.TimeoutException} when the entity did not
 * answer before the request's deadline; a write may then have been applied.
 */
public final class StrongStore implements ModeStore {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Clock clock;
  private final Ticker ticker;
  private final LiveStates live;
  private final KeyJournal journal;
  private final KeyIndex index;
  private final ValueSeal seal;
  /** How long a read for the node's own maintenance (not a client's request) waits for its entity. */
  private final Duration maintenanceTimeout;
  /** A field, not a method reference in {@link #get}, which would be a new object on every read. */
  private final Consumer<String> touch = entityId -> entity(entityId).tell(new KeyEntity.Touch());
  private final Transactions transactions;

  private StrongStore(ActorSystem<?> system, Clock clock, Ticker ticker, LiveStates live,
                      Duration maintenanceTimeout, KeyIndex index, ValueSeal seal) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.clock = clock;
    this.ticker = ticker;
    this.live = live;
    this.journal = new KeyJournal(system);
    this.maintenanceTimeout = maintenanceTimeout;
    this.index = index;
    this.seal = seal;
    this.transactions = new Transactions(system, this::askEntity);
  }

  /**
   * Starts this node's part of the key entities' sharding and returns the
   * store over them; {@code index} answers listings, {@code seal} encrypts
   * values at rest ({@link ValueSeal#OFF}: not).
   */
  public static StrongStore start(ActorSystem<?> system, Clock clock, Ticker ticker, int snapshotEvery,
                                  Duration maintenanceTimeout, HistoryRetention retention,
                                  IdempotencyLimits idempotency, KeyIndex index, ValueSeal seal) {
    LiveStates live = new LiveStates(
        LiveStates.touchEvery(LiveStates.idleTimeout(ClusterShardingSettings.create(system))));
    KeyEntity.init(system, clock, ticker, snapshotEvery, live, retention, idempotency, seal);
    TxnRecord.init(system, clock);
    TxnClaim.init(system, clock, idempotency.window());
    Undelivered.listen(system);
    return new StrongStore(system, clock, ticker, live, maintenanceTimeout, index, seal);
  }

  @Override
  public Mode mode() {
    return Mode.STRONG;
  }

  @Override
  public CompletionStage<KeyOutcome> get(RequestContext context, KeyRequest.Get request) {
    if (request.refusedByStrong().isPresent()) return refused(request);
    if (request.revision().isPresent()) return readAt(context, request, request.revision().getAsLong());
    String entityId = entityId(request);
    KeyState state = live.read(entityId, ticker.nanoTime(), touch);
    return state != null
        ? answer(entityId, state.read(clock.instant()))
        : ask(context, entityId, KeyEntity.Get::new);
  }

  @Override
  public CompletionStage<KeyOutcome> put(RequestContext context, KeyRequest.Put request) {
    if (request.refusedByStrong().isPresent()) return refused(request);
    Duration ttl = request.ttl().orElse(null);
    Idempotency key = idempotency(context, request);
    return ask(context, entityId(request), replyTo -> new KeyEntity.Put(request.value(), request.contentType(), ttl,
        request.precondition(), context.principal().name(), key, replyTo));
  }

  @Override
  public CompletionStage<KeyOutcome> delete(RequestContext context, KeyRequest.Delete request) {
    if (request.refusedByStrong().isPresent()) return refused(request);
    Idempotency key = idempotency(context, request);
    return ask(context, entityId(request),
        replyTo -> new KeyEntity.Delete(request.precondition(), context.principal().name(), key, replyTo));
  }

  @Override
  public CompletionStage<KeyOutcome> increment(RequestContext context, KeyRequest.Increment request) {
    if (request.refusedByStrong().isPresent()) return refused(request);
    Idempotency key = idempotency(context, request);
    return ask(context, entityId(request),
        replyTo -> new KeyEntity.Increment(request.by(), context.principal().name(), key, replyTo));
  }

  /** A transaction over keys of strong namespaces (the API checked that each is): see {@link Transactions}. */
  @Override
  public CompletionStage<KeyOutcome> txn(RequestContext context, KeyRequest.Txn request) {
    return transactions.run(context, request);
  }

  /**
   * The key as a read at {@code revision} answered then, folded from the
   * journal's events: the value (with the headers it had), or not found
   * where the key held none.
   */
  private CompletionStage<KeyOutcome> readAt(RequestContext context, KeyRequest request, long revision) {
    String entityId = entityId(request);
    String persistenceId = KeyEntity.persistenceId(entityId);
    return lockedAsOutcome(head(context, entityId).thenCompose(head -> revision > head
        ? CompletableFuture.completedFuture(new KeyOutcome.RevisionNotFound(revision, head))
        : journal.stateAt(persistenceId, revision).thenCompose(state -> state == null
            ? compacted(persistenceId, revision, head)
            : state.value() == null ? CompletableFuture.completedFuture(new KeyOutcome.NotFound())
                : answer(entityId, state.read(state.value().modifiedAt())))));
  }

  /** What a read or revert of a revision retention removed answers: 410, with the oldest revision kept. */
  private CompletionStage<KeyOutcome> compacted(String persistenceId, long revision, long head) {
    return journal.oldestKept(persistenceId, head)
        .thenApply(oldest -> new KeyOutcome.RevisionCompacted(revision, oldest));
  }

  /**
   * Stores revision {@code to}'s value and content type again. The value is
   * read from the journal (a past revision never changes); the entity then
   * checks the precondition and appends, like any write.
   */
  @Override
  public CompletionStage<KeyOutcome> revert(RequestContext context, KeyRequest.Revert request) {
    String entityId = entityId(request);
    Duration ttl = request.ttl().orElse(null);
    return lockedAsOutcome(head(context, entityId).thenCompose(head -> {
      if (request.to() < 1 || request.to() > head) {
        return CompletableFuture.completedFuture(new KeyOutcome.RevisionNotFound(request.to(), head));
      }
      String persistenceId = KeyEntity.persistenceId(entityId);
      return journal.stateAt(persistenceId, request.to()).thenCompose(state -> {
        if (state == null) return compacted(persistenceId, request.to(), head);
        if (state.value() == null || state.value().counter()) {
          return CompletableFuture.completedFuture(
              new KeyOutcome.NothingToRevertTo(request.to(), state.value() == null ? "nothing" : "counter"));
        }
        return opened(persistenceId, state.revision(), state.value()).thenCompose(then -> ask(context, entityId,
            replyTo -> new KeyEntity.Revert(request.to(), then.bytes(), then.contentType(), ttl,
                request.precondition(), context.principal().name(), idempotency(context, request), replyTo)));
      });
    }));
  }

  /**
   * A page of the key's changes, read from the journal. Where retention
   * removed the page's older revisions, it holds those still kept and says
   * which were removed; a page of removed revisions only answers
   * {@link KeyOutcome.RevisionCompacted}.
   */
  @Override
  public CompletionStage<KeyOutcome> history(RequestContext context, KeyRequest.History request) {
    String entityId = entityId(request);
    String persistenceId = KeyEntity.persistenceId(entityId);
    return lockedAsOutcome(head(context, entityId).thenCompose(head -> {
      if (head == 0) return CompletableFuture.completedFuture(new KeyOutcome.NotFound());
      long from;
      long to;
      if (request.newestFirst()) {
        to = Math.min(head, request.from().orElse(head + 1) - 1);
        from = Math.max(1, to - request.limit() + 1);
      } else {
        from = Math.max(1, request.from().orElse(0) + 1);
        to = Math.min(head, from + request.limit() - 1);
      }
      if (from > to) {
        return CompletableFuture.completedFuture(new KeyOutcome.History(List.of(), OptionalLong.empty(), 0));
      }
      return journal.events(persistenceId, from, to)
          .thenCompose(events -> seal.loadForReading(ValueSeal.storageName(persistenceId)).thenApply(ready ->
              events.stream().map(e -> new KeyJournal.Stored(e.revision(),
                  seal.open(persistenceId, e.revision(), e.event()))).toList()))
          .thenCompose(events -> {
        if (events.isEmpty()) {
          // The revision next to the cursor, the one the page was asked from, not the far end of the page.
          long asked = request.newestFirst() ? to : from;
          return journal.oldestKept(persistenceId, head)
              .thenApply(oldest -> new KeyOutcome.RevisionCompacted(asked, oldest));
        }
        long oldest = events.get(0).revision(); // above from only where retention removed the ones before
        List<Change> changes = new ArrayList<>(events.stream().map(KeyJournal::change).toList());
        if (request.newestFirst()) Collections.reverse(changes);
        OptionalLong next = request.newestFirst()
            ? (from > 1 && oldest == from ? OptionalLong.of(from) : OptionalLong.empty())
            : (to < head ? OptionalLong.of(to) : OptionalLong.empty());
        return CompletableFuture.completedFuture(
            new KeyOutcome.History(changes, next, oldest > from ? oldest - 1 : 0));
      });
    }));
  }

  /** Listings come from the key index, not the entities: see {@link KeyIndex}. */
  @Override
  public CompletionStage<KeyOutcome> list(RequestContext context, KeyRequest.List request) {
    if (request.refusedByStrong().isPresent()) return refused(request);
    return index.list(request.namespace().storageName(), request, context::remaining);
  }

  /** How many of a range delete's keys are deleted at once. */
  private static final int RANGE_DELETE_PARALLELISM = 32;

  /**
   * Lists the range's keys from the index (so every key acknowledged before
   * is among them), then deletes each through its entity, as a DELETE of
   * that key would; keys deleted meanwhile by others are not counted. A
   * delete the journal failed fails the whole request ({@link NotStored},
   * stored or not as the worst of them says): the keys left are deleted by
   * sending it again.
   */
  @Override
  public CompletionStage<KeyOutcome> deleteRange(RequestContext context, KeyRequest.DeleteRange request) {
    KeyRequest.List keys = new KeyRequest.List(request.namespace(), request.range(), Optional.empty(),
        request.limit(), false, 0, false, Optional.empty());
    String principal = context.principal().name();
    return index.list(request.namespace().storageName(), keys, context::remaining).thenCompose(outcome -> {
      KeyOutcome.Listing listing = (KeyOutcome.Listing) outcome;
      return Stages.direct(Source.from(listing.keys())
              .mapAsyncUnordered(RANGE_DELETE_PARALLELISM, k -> askEntity(
                  KeyEntity.entityId(request.namespace().storageName(), k.key()),
                  replyTo -> new KeyEntity.Delete(Precondition.NONE, principal, replyTo), context::remaining))
              .runFold(new long[] {0, 0, 0}, (counts, reply) -> {
                if (reply instanceof KeyReply.Deleted) counts[0]++;
                if (reply instanceof KeyReply.NotStored failed) counts[failed.mayBeStored() ? 2 : 1]++;
                return counts;
              }, system))
          .thenApply(counts -> {
            if (counts[1] + counts[2] > 0) {
              throw new NotStored("the journal failed " + (counts[1] + counts[2]) + " of the range's deletes ("
                  + counts[0] + " deleted)", null, counts[2] > 0);
            }
            return new KeyOutcome.RangeDeleted(counts[0], listing.next().isPresent());
          });
    });
  }

  /** {@link #head} failed because a transaction held the key longer than a request waits. */
  private static final class KeyLockedException extends RuntimeException {
    KeyLockedException() {
      super("the key is held by a transaction", null, false, false);
    }
  }

  /** {@code work}, answering {@link KeyOutcome.KeyLocked} where {@link #head} found the key held. */
  private static CompletionStage<KeyOutcome> lockedAsOutcome(CompletionStage<KeyOutcome> work) {
    return work.handle((outcome, failure) -> {
      if (failure == null) return CompletableFuture.completedFuture(outcome);
      Throwable cause = Stages.rootCause(failure);
      return cause instanceof KeyLockedException
          ? CompletableFuture.<KeyOutcome>completedFuture(new KeyOutcome.KeyLocked(KeyEntity.LOCK_WAIT.toSeconds()))
          : CompletableFuture.<KeyOutcome>failedFuture(cause);
    }).thenCompose(stage -> stage);
  }

  /** The key's latest revision: 0 for a key never written. */
  private CompletionStage<Long> head(RequestContext context, String entityId) {
    KeyState state = live.read(entityId, ticker.nanoTime(), touch);
    if (state != null) return CompletableFuture.completedFuture(state.revision());
    return askEntity(entityId, KeyEntity.Get::new, context::remaining).thenApply(reply -> {
      if (reply instanceof KeyReply.Locked) throw new CompletionException(new KeyLockedException());
      return reply instanceof KeyReply.Found f ? f.revision() : ((KeyReply.NotFound) reply).revision();
    });
  }

  /** The request's idempotency key with its fingerprint, as its event will record them; null without one. */
  private static Idempotency idempotency(RequestContext context, KeyRequest request) {
    return Idempotency.of(context.idempotencyKey(), request, context.principal().name()).orElse(null);
  }

  /** A level or context, which strong namespaces do not take: see {@link KeyRequest#refusedByStrong}. */
  private static CompletionStage<KeyOutcome> refused(KeyRequest request) {
    return CompletableFuture.completedFuture(request.refusedByStrong().orElseThrow());
  }

  /**
   * What the key's reply means to the client, its value opened if sealed
   * (for the reply's revision, which wrote it). A shredded namespace's or an
   * unopenable value fails the stage with {@link ValueUnreadable}, a write
   * the journal failed with {@link NotStored}.
   */
  private CompletionStage<KeyOutcome> answer(String entityId, KeyReply reply) {
    ValueUnreadable unreadable = unreadable(entityId, reply);
    if (unreadable != null) return CompletableFuture.failedFuture(unreadable);
    if (reply instanceof KeyReply.NotStored failed) {
      return CompletableFuture.failedFuture(new NotStored(failed.reason(), null, failed.mayBeStored()));
    }
    if (reply instanceof KeyReply.Found found && found.value().sealed()) {
      return opened(KeyEntity.persistenceId(entityId), found.revision(), found.value())
          .thenApply(value -> outcome(new KeyReply.Found(found.revision(), value)));
    }
    return CompletableFuture.completedFuture(outcome(reply));
  }

  /**
   * What the key {@code entityId} answered, if it says no value there can be
   * read or written: its namespace was shredded, or the node that hosts it
   * cannot open the namespace's data key. Null for any other reply.
   */
  static ValueUnreadable unreadable(String entityId, KeyReply reply) {
    if (reply instanceof KeyReply.Shredded) {
      return ValueUnreadable.shredded(entityId.substring(0, entityId.indexOf(KeyEntity.SEPARATOR)));
    }
    if (reply instanceof KeyReply.Unreadable u) return ValueUnreadable.reported(u.message());
    return null;
  }

  /** {@code value}, written by revision {@code revision} of the key, in the clear. */
  private CompletionStage<StoredValue> opened(String persistenceId, long revision, StoredValue value) {
    if (!value.sealed()) return CompletableFuture.completedFuture(value);
    return seal.loadForReading(ValueSeal.storageName(persistenceId))
        .thenApply(ready -> seal.open(persistenceId, revision, value));
  }

  /** What the entity's reply means to the client. */
  static KeyOutcome outcome(KeyReply reply) {
    if (reply instanceof KeyReply.Found found) {
      return new KeyOutcome.Found(List.of(found.value().toValue()), new Stamp.Revision(found.revision()));
    }
    if (reply instanceof KeyReply.NotFound) return new KeyOutcome.NotFound();
    if (reply instanceof KeyReply.Stored stored) {
      return new KeyOutcome.Stored(new Stamp.Revision(stored.revision()), stored.created());
    }
    if (reply instanceof KeyReply.Deleted deleted) return new KeyOutcome.Deleted(new Stamp.Revision(deleted.revision()));
    if (reply instanceof KeyReply.Counted counted) {
      return new KeyOutcome.Counted(counted.value(), OptionalLong.of(counted.revision()));
    }
    if (reply instanceof KeyReply.WrongKind wrong) return new KeyOutcome.WrongKind(wrong.existing());
    if (reply instanceof KeyReply.CounterOverflow) return new KeyOutcome.CounterOverflow();
    if (reply instanceof KeyReply.NoSuchRevision missing) {
      return new KeyOutcome.RevisionNotFound(missing.revision(), missing.head());
    }
    if (reply instanceof KeyReply.PreconditionFailed failed) {
      return new KeyOutcome.PreconditionFailed(failed.exists(), OptionalLong.of(failed.revision()));
    }
    if (reply instanceof KeyReply.IdempotencyKeyReused) return new KeyOutcome.IdempotencyKeyReused();
    if (reply instanceof KeyReply.Locked locked) return new KeyOutcome.KeyLocked(locked.retryAfterSeconds());
    throw new IllegalStateException("unexpected reply " + reply);
  }

  /**
   * Whether any key of the namespace holds a live value. Walks every
   * persistence id in the journal, so its cost grows with the number of keys
   * ever written; it stops at the first live key. Meant for namespace deletion.
   */
  @Override
  public CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition namespace) {
    String prefix = KeyEntity.persistenceIdPrefix(namespace.storageName());
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return Stages.direct(journal.currentPersistenceIds()
            .filter(id -> id.startsWith(prefix))
            .mapAsync(4, id -> read(KeyEntity.entityId(namespace.storageName(), id.substring(prefix.length()))))
            .filter(reply -> reply instanceof KeyReply.Found)
            .runWith(Sink.headOption(), system))
        .thenApply(Optional::isPresent);
  }

  /**
   * Nothing to do: a removed namespace's events stay in the journal as its
   * history, and a namespace of the same name made later has other entity ids.
   */
  @Override
  public CompletionStage<Void> forget(NamespaceDefinition namespace) {
    return CompletableFuture.completedFuture(null);
  }

  /** The shards of strong keys this node hosts now, each with its count of active keys. */
  public CompletionStage<Map<String, Integer>> shardsHere() {
    return Stages.direct(AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            sharding.shardState(), replyTo -> new GetShardRegionState(KeyEntity.TYPE_KEY, replyTo),
            maintenanceTimeout, system.scheduler()))
        .thenApply(state -> state.getShards().stream()
            .collect(Collectors.toMap(ShardRegion.ShardState::shardId, shard -> shard.getEntityIds().size())));
  }

  /** A key's current state, as a GET reads it, for the node's own maintenance. */
  private CompletionStage<KeyReply> read(String entityId) {
    KeyState state = live.read(entityId, ticker.nanoTime(), touch);
    return state != null
        ? CompletableFuture.completedFuture(state.read(clock.instant()))
        : askEntity(entityId, KeyEntity.Get::new, untilAfter(maintenanceTimeout));
  }

  private CompletionStage<KeyOutcome> ask(RequestContext context, String entityId,
                                          Function<ActorRef<KeyReply>, KeyEntity.Command> command) {
    return askEntity(entityId, command, context::remaining).thenCompose(reply -> answer(entityId, reply));
  }

  /**
   * Asks the key's entity, and asks again while sharding reports the command
   * undelivered ({@link Undelivered}: the entity never saw it, so nothing was
   * applied) and time is {@code left}. Fails with a TimeoutException when no
   * answer came in time.
   */
  private CompletionStage<KeyReply> askEntity(String entityId, Function<ActorRef<KeyReply>, KeyEntity.Command> command,
                                              Supplier<Duration> left) {
    Duration timeout = left.get();
    // An ask needs a positive timeout; past the deadline it fails at once.
    return Stages.direct(entity(entityId).ask(command, timeout.isZero() ? Duration.ofMillis(1) : timeout))
        .thenCompose(reply -> {
          if (!(reply instanceof KeyReply.NotDelivered)) return CompletableFuture.completedFuture(reply);
          if (left.get().isZero()) {
            return CompletableFuture.failedFuture(new TimeoutException("the key's entity was not reached in time"));
          }
          return askEntity(entityId, command, left);
        });
  }

  /** The time left until {@code timeout} from now, never negative. */
  private Supplier<Duration> untilAfter(Duration timeout) {
    long deadline = ticker.nanoTime() + timeout.toNanos();
    return () -> Duration.ofNanos(Math.max(0, deadline - ticker.nanoTime()));
  }

  private static String entityId(KeyRequest request) {
    return KeyEntity.entityId(request.namespace().storageName(), request.key());
  }

  private EntityRef<KeyEntity.Command> entity(String entityId) {
    return sharding.entityRefFor(KeyEntity.TYPE_KEY, entityId);
  }
}
