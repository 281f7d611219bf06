package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.MessageBudget;
import io.actorkv.base.NotStored;
import io.actorkv.base.Stages;
import io.actorkv.base.Ticker;
import io.actorkv.store.Expiry;
import io.actorkv.store.Precondition;
import io.actorkv.store.ValueUnreadable;
import java.io.NotSerializableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.JournalPersistRejected;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One key of a strong namespace: the only writer of that key in the cluster.
 * Preconditions and expiry are decided here, against the state the next event
 * will follow, so compare-and-set needs no lock anywhere else.
 */
public final class KeyEntity extends EventSourcedBehaviorWithEnforcedReplies<KeyEntity.Command, KeyEvent, KeyState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "kv");

  /** Separates namespace from key in entity and persistence ids; namespaces cannot contain it. */
  static final String SEPARATOR = "|";

  public sealed interface Command extends CborSerializable {}

  /** A command that expects a reply: if it is not delivered, {@link Undelivered} tells its sender so. */
  public sealed interface Request extends Command {
    ActorRef<KeyReply> replyTo();
  }

  public record Get(ActorRef<KeyReply> replyTo) implements Request {}

  /** A write; {@code idempotency} null when the client sent no idempotency key. */
  public sealed interface Write extends Request {
    Idempotency idempotency();

    String principal();
  }

  /** {@code ttl} null means the value never expires. */
  public record Put(byte[] value, String contentType, Duration ttl, Precondition precondition, String principal,
                    Idempotency idempotency, ActorRef<KeyReply> replyTo) implements Write {
    public Put(byte[] value, String contentType, Duration ttl, Precondition precondition, String principal,
               ActorRef<KeyReply> replyTo) {
      this(value, contentType, ttl, precondition, principal, null, replyTo);
    }
  }

  public record Delete(Precondition precondition, String principal, Idempotency idempotency,
                       ActorRef<KeyReply> replyTo) implements Write {
    public Delete(Precondition precondition, String principal, ActorRef<KeyReply> replyTo) {
      this(precondition, principal, null, replyTo);
    }
  }

  public record Increment(long by, String principal, Idempotency idempotency, ActorRef<KeyReply> replyTo)
      implements Write {
    public Increment(long by, String principal, ActorRef<KeyReply> replyTo) {
      this(by, principal, null, replyTo);
    }
  }

  /**
   * Stores again the value of revision {@code from}, which the store read
   * from the journal (a past revision never changes); {@code ttl} null: the
   * value never expires.
   */
  public record Revert(long from, byte[] value, String contentType, Duration ttl, Precondition precondition,
                       String principal, Idempotency idempotency, ActorRef<KeyReply> replyTo) implements Write {}

  /** A read answered from the published state ({@link LiveStates}) passes through sharding: the key is in use. */
  record Touch() implements Command {}

  /** The expiry timer fired; the entity checks the time itself, as the value may have changed since. */
  record ExpiryDue() implements Command {}

  /** Sent by sharding before passivation; stashed behind pending writes, so none is cut off. */
  record Passivate() implements Command {}

  /**
   * The namespace's retention, looked up as the entity starts (0: keep every
   * revision), and whether its data key could be made ready; if not because
   * this node cannot open it, {@code unreadable} says why (else null).
   */
  record RetentionKnown(int keep, boolean keyReady, String unreadable) implements Command {}

  /** Sent by the entity to itself when its recovery cannot succeed ({@link Recovering}). */
  private record Unrecoverable() implements Command {}

  /**
   * Takes the key for transaction {@code txnId}, durably, and answers
   * {@link KeyReply.Prepared}; {@link KeyReply.Busy} if another transaction
   * holds it (no waiting, so transactions never deadlock). The key keeps
   * its branches' operations, to apply the outcome alone if need be.
   */
  public record Prepare(String txnId, List<TxnOp> success, List<TxnOp> failure, ActorRef<KeyReply> replyTo)
      implements Request {}

  /**
   * Applies transaction {@code txnId}'s {@code outcome} ("success" or
   * "failure": that branch's operations; "abort": nothing) and frees the
   * key: {@link KeyReply.Finished}. Idempotent: a key the transaction no
   * longer holds answers at once with no results.
   */
  public record Finish(String txnId, String outcome, ActorRef<KeyReply> replyTo) implements Request {}

  /**
   * Reads the key for a transaction that only reads, without taking it:
   * answers {@link KeyReply.Prepared} as {@link Prepare} would, and waits
   * like a read while another transaction holds the key.
   */
  public record Peek(List<TxnOp> success, List<TxnOp> failure, ActorRef<KeyReply> replyTo) implements Request {}

  /** The key's lock as its journal had it; commands wait until it is known. */
  record LockRecovered(KeyLock.Held held) implements Command {}

  /** The lock of {@code txnId} is durable. */
  record LockStored(String txnId) implements Command {}

  /** A request that waited for the key's lock has waited long enough. */
  record WaitOver(long waiter) implements Command {}

  /** The key has been held a while: time to ask the transaction's record for its outcome. */
  record ResolveDue() implements Command {}

  /** The transaction's record answered; {@code outcome} null if it could not be asked. */
  record Resolved(String txnId, String outcome) implements Command {}

  /** How long a read or write of a key held by a transaction waits before it answers {@link KeyReply.Locked}. */
  static final Duration LOCK_WAIT = Duration.ofSeconds(1);
  /**
   * How many reads and writes wait for a held key at most; more answer
   * {@link KeyReply.Locked} at once, so clients hammering a held key cannot
   * pile requests (and their values) up in its memory.
   */
  static final int MOST_WAITING = 1_000;
  /**
   * How long a key stays held before it asks the transaction's record for
   * the outcome, and then again as often: longer than a request's deadline,
   * so a transaction still running is rarely aborted by it.
   */
  static final Duration RESOLVE_AFTER = Duration.ofSeconds(10);
  private static final Object RESOLVE_TIMER = "resolve";

  private static final Object EXPIRY_TIMER = "expiry";
  /** The longest expiry timer started; well inside what Pekko's scheduler accepts. */
  static final Duration LONGEST_TIMER = Duration.ofDays(1);

  /**
   * The entity id of a key of the namespace stored as {@code namespace}
   * ({@code NamespaceDefinition.storageName}): unambiguous because a
   * namespace's stored name cannot contain the separator.
   */
  public static String entityId(String namespace, String key) {
    return namespace + SEPARATOR + key;
  }

  /** The persistence id of the key whose entity id is {@code entityId}. */
  static String persistenceId(String entityId) {
    return TYPE_KEY.name() + SEPARATOR + entityId;
  }

  /** Persistence ids of strong keys are {@code kv|<namespace>|<key>}. */
  public static String persistenceIdPrefix(String namespace) {
    return TYPE_KEY.name() + SEPARATOR + namespace + SEPARATOR;
  }

  static void init(ActorSystem<?> system, Clock clock, Ticker ticker, int snapshotEvery, LiveStates live,
                   HistoryRetention retention, IdempotencyLimits idempotency, ValueSeal seal) {
    ClusterSharding.get(system).init(
        Entity.of(TYPE_KEY, ctx -> starting(ctx.getEntityId(), clock, ticker, snapshotEvery, live, retention,
                idempotency, seal))
            .withStopMessage(new Passivate()));
  }

  /** Commands that wait while an entity learns its namespace's retention. */
  private static final int WAITING_COMMANDS = 10_000;

  /**
   * The key's entity once it knows how many revisions its namespace keeps
   * and holds its namespace's data key (with encryption at rest): at once if
   * this node has both, else after asking (commands wait meanwhile). If the
   * retention cannot be told, the key keeps everything: an event kept too
   * long is better than one deleted by mistake. If the data key cannot be
   * read, the entity stops, and the next command starts it again; if this
   * node cannot open it (it lacks the master key that wraps it), the waiting
   * requests are told so at once instead of waiting out their deadline.
   */
  static Behavior<Command> starting(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                    LiveStates live, HistoryRetention retention, IdempotencyLimits idempotency,
                                    ValueSeal seal) {
    String storageName = entityId.substring(0, entityId.indexOf(SEPARATOR));
    var known = retention.known(storageName);
    CompletionStage<Void> key = seal.loadForWriting(storageName);
    if (known.isPresent() && key.toCompletableFuture().isDone()
        && !key.toCompletableFuture().isCompletedExceptionally()) {
      return create(entityId, clock, ticker, snapshotEvery, live, known.getAsInt(), idempotency, seal);
    }
    return Behaviors.setup(ctx -> {
      CompletionStage<Integer> keep = retention.find(storageName).exceptionally(failure -> {
        ctx.getLog().warn("retention of {} unknown; the key keeps every revision", storageName);
        return 0;
      });
      ctx.pipeToSelf(keep.thenCombine(key, (k, ready) -> k), (k, failure) -> {
        if (failure == null) return new RetentionKnown(k, true, null);
        ctx.getLog().error("the data key of {} cannot be read", storageName, failure);
        Throwable cause = Stages.rootCause(failure);
        return new RetentionKnown(0, false, cause instanceof ValueUnreadable ? cause.getMessage() : null);
      });
      return Behaviors.<Command>withStash(WAITING_COMMANDS, waiting -> Behaviors.receive(Command.class)
          .onMessage(RetentionKnown.class, r -> {
            if (r.keyReady()) {
              return waiting.unstashAll(create(entityId, clock, ticker, snapshotEvery, live, r.keep(), idempotency,
                  seal));
            }
            if (r.unreadable() != null) {
              waiting.forEach(command -> {
                if (command instanceof Request request) request.replyTo().tell(new KeyReply.Unreadable(r.unreadable()));
              });
            }
            return Behaviors.stopped();
          })
          .onAnyMessage(command -> {
            waiting.stash(command);
            return Behaviors.same();
          })
          .build());
    });
  }

  /** Idempotency keys as reference.conf's defaults keep them (24 h, 1,000), for keys made by tests. */
  private static final IdempotencyLimits DEFAULT_IDEMPOTENCY = new IdempotencyLimits(Duration.ofHours(24), 1000);

  /** A key that keeps every revision, and idempotency keys as reference.conf's defaults do (24 h, 1,000). */
  static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                  LiveStates live) {
    return create(entityId, clock, ticker, snapshotEvery, live, 0,
        DEFAULT_IDEMPOTENCY, ValueSeal.OFF);
  }

  /** A key that keeps at least its {@code keep} latest revisions in the journal (0: all). */
  static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                  LiveStates live, int keep, IdempotencyLimits idempotency, ValueSeal seal) {
    return create(entityId, clock, ticker, snapshotEvery, live, keep, idempotency, seal,
        new Waits(LOCK_WAIT, MOST_WAITING));
  }

  /** How long reads and writes wait for a held key, and how many at most. */
  record Waits(Duration longest, int most) {}

  /** A key that keeps every revision, whose reads and writes wait for its lock as {@code waits} says. */
  static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, LiveStates live, Waits waits) {
    return create(entityId, clock, ticker, 100, live, 0, DEFAULT_IDEMPOTENCY,
        ValueSeal.OFF, waits);
  }

  private static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                          LiveStates live, int keep, IdempotencyLimits idempotency, ValueSeal seal,
                                          Waits waits) {
    Recovering recovering = new Recovering();
    return Behaviors.intercept(() -> recovering, Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<KeyLock.Command> lock = ctx.spawn(KeyLock.create(entityId, ctx.getSelf()), "lock");
      ctx.watch(lock); // a key whose lock stopped stops too (Terminated is not handled), and starts again anew
      return new KeyEntity(entityId, clock, ticker, snapshotEvery, keep, idempotency, live, seal, waits, timers, ctx,
          lock, recovering);
    })));
  }

  /** What a request to a key that cannot recover is told ({@link KeyReply.Unreadable}). */
  static final String UNRECOVERABLE = "this key's stored history cannot be read (a row of its journal or snapshot "
      + "that this release cannot decode: written by a newer release, or altered); the node's log names the row";

  /**
   * Stands in front of a key's entity and keeps who waits for it to
   * recover. When a row of the key's journal or snapshot cannot be decoded,
   * recovering again cannot help (Pekko would restart the key with backoff
   * while its requests wait out their deadline): the entity sends itself
   * {@link Unrecoverable}, and this tells every waiting request so at once
   * and stops the key. That drops the commands Pekko stashed during the
   * recovery, so none of those requests applies later. The next request
   * starts the key again, and finds the row mended or is told the same.
   */
  private static final class Recovering extends BehaviorInterceptor<Command, Command> {
    private final List<ActorRef<KeyReply>> waiting = new ArrayList<>();
    private boolean recovered;
    private boolean givingUp;

    Recovering() {
      super(Command.class);
    }

    void recovered() {
      recovered = true;
      waiting.clear();
    }

    void restarting() {
      recovered = false;
    }

    /** Whether the key gives up now; false once it has (Pekko signals a failed recovery more than once). */
    boolean giveUp() {
      if (givingUp) return false;
      givingUp = true;
      return true;
    }

    @Override
    public Behavior<Command> aroundReceive(TypedActorContext<Command> ctx, Command command,
                                           ReceiveTarget<Command> target) {
      if (command instanceof Unrecoverable) {
        waiting.forEach(replyTo -> replyTo.tell(new KeyReply.Unreadable(UNRECOVERABLE)));
        return Behaviors.stopped();
      }
      if (!recovered && command instanceof Request request) waiting.add(request.replyTo());
      return target.apply(ctx, command);
    }
  }

  private final String entityId;
  private final Clock clock;
  private final Ticker ticker;
  private final int snapshotEvery;
  private final int keep;
  private final IdempotencyLimits idempotency;
  private final LiveStates live;
  private final ValueSeal seal;
  private final Waits waits;
  private final TimerScheduler<Command> timers;
  private final ActorContext<Command> context;
  private final ActorRef<KeyLock.Command> lockJournal;
  private final Recovering recovering;

  // The key's transaction lock; only this actor touches these fields.
  /** Whether the lock's journal has recovered: until then every command waits. */
  private boolean lockKnown;
  /** The transaction holding the key, or null. */
  private KeyLock.Held lock;
  /** Whether {@link #lock} is durable yet. */
  private boolean lockStored;
  /** Who waits for the {@link KeyReply.Prepared} of {@link #lock}, until it is durable. */
  private ActorRef<KeyReply> preparing;
  /** Reads and writes that wait for the key to be free, by waiter number. */
  private final Map<Long, Request> waiting = new LinkedHashMap<>();
  private long nextWaiter;
  private boolean passivateWhenFree;
  /** Who waits for the client write being persisted now, or null ({@link #persist}). */
  private ActorRef<KeyReply> persisting;

  private KeyEntity(String entityId, Clock clock, Ticker ticker, int snapshotEvery, int keep,
                    IdempotencyLimits idempotency, LiveStates live, ValueSeal seal, Waits waits,
                    TimerScheduler<Command> timers, ActorContext<Command> context,
                    ActorRef<KeyLock.Command> lockJournal, Recovering recovering) {
    // A failed write restarts the key from its journal, but keeps its lock's actor: it holds the truth.
    super(PersistenceId.ofUniqueId(persistenceId(entityId)),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)
            .withStopChildren(false));
    this.entityId = entityId;
    this.clock = clock;
    this.ticker = ticker;
    this.snapshotEvery = snapshotEvery;
    this.keep = keep;
    this.idempotency = idempotency;
    this.live = live;
    this.seal = seal;
    this.waits = waits;
    this.timers = timers;
    this.context = context;
    this.lockJournal = lockJournal;
    this.recovering = recovering;
  }

  @Override
  public KeyState emptyState() {
    return KeyState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, KeyEvent, KeyState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(LockRecovered.class, this::onLockRecovered)
        .onCommand(cmd -> !lockKnown, (state, cmd) -> Effect().stash())
        .onCommand(LockStored.class, this::onLockStored)
        .onCommand(Prepare.class, this::onPrepare)
        .onCommand(Finish.class, this::onFinish)
        .onCommand(WaitOver.class, this::onWaitOver)
        .onCommand(ResolveDue.class, this::onResolveDue)
        .onCommand(Resolved.class, (state, cmd) -> lock != null && lock.txnId().equals(cmd.txnId())
            && cmd.outcome() != null ? finish(state, cmd.outcome(), null) : Effect().noReply())
        .onCommand(cmd -> lock != null && (cmd instanceof Get || cmd instanceof Write || cmd instanceof Peek),
            this::await)
        .onCommand(Get.class, this::onGet)
        .onCommand(Peek.class, this::onPeek)
        .onCommand(Write.class, this::onWrite)
        .onCommand(Touch.class, (state, cmd) -> Effect().noReply())
        .onCommand(ExpiryDue.class, (state, cmd) -> lock != null ? Effect().noReply() : onExpiryDue(state, cmd))
        .onCommand(Passivate.class, (state, cmd) -> {
          if (lock == null) return Effect().stop().thenNoReply();
          passivateWhenFree = true; // a held key stays until its transaction is over
          return Effect().noReply();
        })
        .onCommand(RetentionKnown.class, (state, cmd) -> Effect().noReply())
        .build();
  }

  private ReplyEffect<KeyEvent, KeyState> onGet(KeyState state, Get cmd) {
    return Effect().reply(cmd.replyTo(), state.read(clock.instant()));
  }

  /**
   * A write whose idempotency key this key remembers is answered as it was
   * the first time (or refused, if the key came with another request), and
   * changes nothing. Only writes that changed the key are remembered: one
   * that was refused (412, 404, 409) left nothing to remember, and its
   * retry is decided again against the key as it is then.
   */
  private ReplyEffect<KeyEvent, KeyState> onWrite(KeyState state, Write cmd) {
    if (shredded()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.Shredded());
    }
    KeyReply recalled = state.recall(cmd.idempotency(), cmd.principal(), clock.instant(), idempotency);
    if (recalled != null) return Effect().reply(cmd.replyTo(), recalled);
    if (cmd instanceof Put put) return onPut(state, put);
    if (cmd instanceof Delete delete) return onDelete(state, delete);
    if (cmd instanceof Increment increment) return onIncrement(state, increment);
    return onRevert(state, (Revert) cmd);
  }

  private ReplyEffect<KeyEvent, KeyState> onPut(KeyState state, Put cmd) {
    Instant now = clock.instant();
    boolean exists = state.existsAt(now);
    if (!cmd.precondition().holds(exists, state.revision())) {
      return Effect().reply(cmd.replyTo(), new KeyReply.PreconditionFailed(state.revision(), exists));
    }
    if (exists && state.value().counter()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.WrongKind("counter"));
    }
    Expiry expiresAt = Expiry.after(now, cmd.ttl());
    return persist(state, new KeyEvent.ValuePut(cmd.value(), cmd.contentType(), expiresAt, cmd.principal(), now),
            cmd)
        .thenReply(cmd.replyTo(), next -> new KeyReply.Stored(next.revision(), !exists));
  }

  private ReplyEffect<KeyEvent, KeyState> onRevert(KeyState state, Revert cmd) {
    Instant now = clock.instant();
    boolean exists = state.existsAt(now);
    if (!cmd.precondition().holds(exists, state.revision())) {
      return Effect().reply(cmd.replyTo(), new KeyReply.PreconditionFailed(state.revision(), exists));
    }
    if (cmd.from() < 1 || cmd.from() > state.revision()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.NoSuchRevision(cmd.from(), state.revision()));
    }
    if (exists && state.value().counter()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.WrongKind("counter"));
    }
    Expiry expiresAt = Expiry.after(now, cmd.ttl());
    return persist(state, new KeyEvent.ValueReverted(cmd.from(), cmd.value(), cmd.contentType(), expiresAt,
            cmd.principal(), now), cmd)
        .thenReply(cmd.replyTo(), next -> new KeyReply.Stored(next.revision(), !exists));
  }

  private ReplyEffect<KeyEvent, KeyState> onIncrement(KeyState state, Increment cmd) {
    Instant now = clock.instant();
    boolean exists = state.existsAt(now);
    if (exists && !state.value().counter()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.WrongKind("value"));
    }
    long before = exists ? state.value().count() : 0;
    try {
      Math.addExact(before, cmd.by());
    } catch (ArithmeticException e) {
      return Effect().reply(cmd.replyTo(), new KeyReply.CounterOverflow(before));
    }
    return persist(state, new KeyEvent.CounterIncremented(cmd.by(), cmd.principal(), now), cmd)
        .thenReply(cmd.replyTo(), next -> new KeyReply.Counted(next.revision(), next.value().count()));
  }

  private ReplyEffect<KeyEvent, KeyState> onDelete(KeyState state, Delete cmd) {
    Instant now = clock.instant();
    boolean exists = state.existsAt(now);
    if (!cmd.precondition().holds(exists, state.revision())) {
      return Effect().reply(cmd.replyTo(), new KeyReply.PreconditionFailed(state.revision(), exists));
    }
    if (!exists) {
      return Effect().reply(cmd.replyTo(), new KeyReply.NotFound(state.revision()));
    }
    return persist(state, new KeyEvent.ValueDeleted(cmd.principal(), now), cmd)
        .thenReply(cmd.replyTo(), next -> new KeyReply.Deleted(next.revision()));
  }

  private ReplyEffect<KeyEvent, KeyState> onExpiryDue(KeyState state, ExpiryDue cmd) {
    Instant now = clock.instant();
    if (state.value() == null || state.value().liveAt(now)) {
      scheduleExpiry(state); // replaced, deleted, or the timer ran early: nothing expires now
      return Effect().noReply();
    }
    return persist(state, new KeyEvent.ValueExpired(now), null).thenNoReply();
  }

  /**
   * The only way this entity persists a single event: the event records the
   * idempotency key of {@code write} (the client's request; null for an
   * expiry), its value is sealed (with encryption at rest), it gets its link
   * of the key's hash chain, and every event's state is published before
   * any reply (see {@link #changed}). Until the journal has it, the write's
   * client is remembered, to be told if the journal fails it
   * ({@link #persistFailed}).
   */
  private EffectBuilder<KeyEvent, KeyState> persist(KeyState state, KeyEvent event, Write write) {
    long revision = state.revision() + 1;
    Idempotency key = write == null ? null : write.idempotency();
    KeyEvent keyed = seal.seal(persistenceId().id(), revision, key == null ? event : event.withIdempotency(key));
    KeyEvent chained = keyed.withHash(state.chainHead(persistenceId().id()).next(revision, keyed));
    persisting = write == null ? null : write.replyTo();
    return Effect().persist(chained).thenRun(stored -> {
      persisting = null;
      changed(stored);
    });
  }

  /**
   * The journal failed the event in flight: the entity restarts from the
   * journal (its supervisor's backoff), and the client of the write is told
   * now, whether the write may be stored all the same
   * ({@link NotStored#mayBeStored}; a failure the journal did not describe
   * may be), instead of waiting out its deadline.
   */
  private void persistFailed(Throwable failure) {
    if (persisting == null) return;
    NotStored notStored = NotStored.in(failure);
    persisting.tell(notStored != null ? new KeyReply.NotStored(notStored.getMessage(), notStored.mayBeStored())
        : new KeyReply.NotStored("the journal failed the write (" + failure.getClass().getSimpleName() + ")", true));
    persisting = null;
  }

  /**
   * After recovery and after each persisted event, before any reply:
   * publishes the state and times its expiry, unless a transaction holds
   * the key (or may: its lock is not known yet), when reads must come to
   * the entity and wait.
   */
  private void changed(KeyState state) {
    if (!lockKnown || lock != null) return;
    live.publish(entityId, state, ticker.nanoTime());
    scheduleExpiry(state);
  }

  // ---- Transactions: see docs/architecture.md, "Transactions" ----

  private ReplyEffect<KeyEvent, KeyState> onLockRecovered(KeyState state, LockRecovered recovered) {
    boolean first = !lockKnown;
    lockKnown = true;
    KeyLock.Held before = lock;
    // The lock's journal is the truth, also when it restarted after a failed write.
    lock = seal.open(persistenceId().id(), recovered.held());
    lockStored = lock != null;
    if (preparing != null && (lock == null || before == null || !lock.txnId().equals(before.txnId()))) {
      preparing = null; // that prepare's lock was not stored: its transaction times out and aborts
    }
    if (lock == null) {
      freed(state);
    } else {
      live.withdraw(entityId);
      timers.startTimerWithFixedDelay(RESOLVE_TIMER, new ResolveDue(), RESOLVE_AFTER);
    }
    return first ? Effect().noReply().thenUnstashAll() : Effect().noReply();
  }

  private ReplyEffect<KeyEvent, KeyState> onPrepare(KeyState state, Prepare cmd) {
    if (lock != null && lock.txnId().equals(cmd.txnId())) {
      if (lockStored) return Effect().reply(cmd.replyTo(), prepared(state, lock.success(), lock.failure()));
      preparing = cmd.replyTo();
      return Effect().noReply();
    }
    if (lock != null) return Effect().reply(cmd.replyTo(), new KeyReply.Busy(lock.txnId()));
    if (shredded()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.Shredded());
    }
    lock = new KeyLock.Held(cmd.txnId(), state.revision(), cmd.success(), cmd.failure(), clock.instant());
    lockStored = false;
    preparing = cmd.replyTo();
    live.withdraw(entityId);
    lockJournal.tell(new KeyLock.Hold(seal.seal(persistenceId().id(), lock)));
    return Effect().noReply();
  }

  private ReplyEffect<KeyEvent, KeyState> onLockStored(KeyState state, LockStored stored) {
    if (lock == null || !lock.txnId().equals(stored.txnId()) || lockStored) return Effect().noReply();
    lockStored = true;
    timers.startTimerWithFixedDelay(RESOLVE_TIMER, new ResolveDue(), RESOLVE_AFTER);
    ActorRef<KeyReply> replyTo = preparing;
    preparing = null;
    return replyTo == null ? Effect().noReply()
        : Effect().reply(replyTo, prepared(state, lock.success(), lock.failure()));
  }

  private ReplyEffect<KeyEvent, KeyState> onPeek(KeyState state, Peek cmd) {
    if (shredded()) {
      return Effect().reply(cmd.replyTo(), new KeyReply.Shredded());
    }
    return Effect().reply(cmd.replyTo(), prepared(state, cmd.success(), cmd.failure()));
  }

  /** Whether this key's namespace has been shredded. */
  private boolean shredded() {
    return seal.shredded(entityId.substring(0, entityId.indexOf(SEPARATOR)));
  }

  /**
   * The key as it is, and what each branch's operations would do to it;
   * {@link KeyReply.TooLarge} if that would not fit one message between nodes.
   */
  private KeyReply prepared(KeyState state, List<TxnOp> success, List<TxnOp> failure) {
    Instant now = clock.instant();
    String pid = persistenceId().id();
    KeyReply.Prepared prepared = new KeyReply.Prepared(state.revision(),
        state.existsAt(now) ? seal.open(pid, state.revision(), state.value()) : null,
        TxnApply.apply(state, success, now, pid, idempotency, seal).results(),
        TxnApply.apply(state, failure, now, pid, idempotency, seal).results());
    long bytes = prepared.bytes();
    return bytes > MessageBudget.bytes(context.getSystem().settings().config())
        ? new KeyReply.TooLarge(bytes) : prepared;
  }

  private ReplyEffect<KeyEvent, KeyState> onFinish(KeyState state, Finish cmd) {
    if (lock == null || !lock.txnId().equals(cmd.txnId())) {
      return Effect().reply(cmd.replyTo(), new KeyReply.Finished(List.of()));
    }
    // A lock not yet durable was never answered Prepared, so its transaction can only abort.
    return finish(state, lockStored ? cmd.outcome() : "abort", cmd.replyTo());
  }

  /**
   * Applies the outcome of the transaction holding the key and frees it.
   * A key whose revision moved past the one it was taken at has applied the
   * outcome already (nothing else writes a held key): that is a lock that
   * outlived its release, found again in its journal.
   */
  private ReplyEffect<KeyEvent, KeyState> finish(KeyState state, String outcome, ActorRef<KeyReply> replyTo) {
    KeyLock.Held held = lock;
    List<TxnOp> ops = outcome.equals("success") ? held.success() : outcome.equals("failure") ? held.failure()
        : List.of();
    TxnApply.Applied applied = state.revision() > held.revision() ? null
        : TxnApply.apply(state, ops, clock.instant(), persistenceId().id(), idempotency, seal);
    lock = null;
    lockStored = false;
    preparing = null;
    persisting = null; // the coordinator settles a failed outcome by its own protocol
    KeyLock.Release release = new KeyLock.Release(held.txnId(), clock.instant());
    KeyReply finished = new KeyReply.Finished(applied == null ? List.of() : applied.results());
    if (applied == null || applied.refused() || applied.events().isEmpty()) {
      lockJournal.tell(release);
      freed(state);
      return replyTo == null ? Effect().noReply() : Effect().reply(replyTo, finished);
    }
    resend();
    // Freed only once the outcome is stored: freed first, a crash between the two would lose it.
    EffectBuilder<KeyEvent, KeyState> persisted = Effect().persist(applied.events()).thenRun(next -> {
      lockJournal.tell(release);
      changed(next);
    });
    return replyTo == null ? persisted.thenNoReply() : persisted.thenReply(replyTo, next -> finished);
  }

  /** The key is free (again): its state is published and what waited for it comes back in. */
  private void freed(KeyState state) {
    changed(state);
    resend();
  }

  private void resend() {
    timers.cancel(RESOLVE_TIMER);
    for (Map.Entry<Long, Request> w : waiting.entrySet()) {
      timers.cancel(w.getKey());
      context.getSelf().tell(w.getValue());
    }
    waiting.clear();
    if (passivateWhenFree) {
      passivateWhenFree = false;
      context.getSelf().tell(new Passivate());
    }
  }

  /** A read or write of a held key waits ({@link #LOCK_WAIT} at most), unless too many wait already. */
  private ReplyEffect<KeyEvent, KeyState> await(KeyState state, Command cmd) {
    Request request = (Request) cmd;
    if (waiting.size() >= waits.most()) return Effect().reply(request.replyTo(), locked());
    long waiter = nextWaiter++;
    waiting.put(waiter, request);
    timers.startSingleTimer(waiter, new WaitOver(waiter), waits.longest());
    return Effect().noReply();
  }

  private KeyReply.Locked locked() {
    return new KeyReply.Locked(Math.max(1, waits.longest().toSeconds()));
  }

  private ReplyEffect<KeyEvent, KeyState> onWaitOver(KeyState state, WaitOver over) {
    Request cmd = waiting.remove(over.waiter());
    if (cmd == null) return Effect().noReply();
    return Effect().reply(cmd.replyTo(), locked());
  }

  /** Asks the record of the transaction holding the key for its outcome; it decides abort if none was decided. */
  private ReplyEffect<KeyEvent, KeyState> onResolveDue(KeyState state, ResolveDue due) {
    if (lock == null || !lockStored) return Effect().noReply();
    String txnId = lock.txnId();
    context.pipeToSelf(TxnRecord.resolve(context.getSystem(), txnId, RESOLVE_AFTER),
        (outcome, failure) -> new Resolved(txnId, failure == null ? outcome : null));
    return Effect().noReply();
  }

  /**
   * A write failed and the key starts again from its journal. What it held
   * in memory may not be what its lock's journal has (a lock given up before
   * its outcome was stored is still there), so it asks the lock again, and
   * serves nothing until it answers.
   */
  private void restarting(KeyState state) {
    recovering.restarting();
    live.withdraw(entityId);
    lockKnown = false;
    lock = null;
    lockStored = false;
    preparing = null;
    persisting = null;
    lockJournal.tell(new KeyLock.Report());
  }

  /**
   * A recovery that failed on a row that cannot be decoded gives up
   * ({@link Recovering}); any other failure (the database out of reach, a
   * replay that timed out) is Pekko's to retry, restarting the key with
   * backoff.
   */
  private void recoveryFailed(Throwable failure) {
    if (!undecodable(failure) || !recovering.giveUp()) return;
    context.getLog().error("key {} cannot recover: a row of its journal or snapshot cannot be decoded ({}); its "
        + "requests answer 500 value_unreadable until the row is mended", persistenceId().id(), failure.toString());
    context.getSelf().tell(new Unrecoverable());
  }

  /** Whether {@code failure} is Pekko's serialization refusing stored bytes, whatever wraps it. */
  static boolean undecodable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NotSerializableException) return true;
    }
    return false;
  }

  /**
   * Keeps exactly one timer for the current value's expiry, or none. Pekko's
   * scheduler refuses delays over about 248 days, and a TTL may be 100
   * years: a later expiry is looked at again every {@link #LONGEST_TIMER},
   * where an early {@link ExpiryDue} only starts the next timer.
   */
  private void scheduleExpiry(KeyState state) {
    if (state.value() == null || state.value().expiresAt().isNever()) {
      timers.cancel(EXPIRY_TIMER);
      return;
    }
    Duration delay = Duration.between(clock.instant(), state.value().expiresAt().instant().orElseThrow());
    Duration bounded = delay.isNegative() ? Duration.ZERO : delay.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER : delay;
    timers.startSingleTimer(EXPIRY_TIMER, new ExpiryDue(), bounded);
  }

  @Override
  public EventHandler<KeyState, KeyEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.apply(event, idempotency));
  }

  @Override
  public SignalHandler<KeyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          recovering.recovered();
          changed(state);
        })
        .onSignal(RecoveryFailed.class, (state, failed) -> recoveryFailed(failed.getFailure()))
        .onSignal(JournalPersistFailed.class, (state, failed) -> persistFailed(failed.failure()))
        .onSignal(JournalPersistRejected.class, (state, rejected) -> persistFailed(
            new NotStored("the journal rejected the event (" + rejected.failure().getClass().getSimpleName() + ")",
                rejected.failure(), false)))
        .onSignal(PreRestart.instance(), this::restarting)
        .onSignal(PostStop.instance(), state -> live.withdraw(entityId))
        .build();
  }

  /**
   * Snapshots bound recovery time. Events stay in the journal for history,
   * unless the namespace keeps only {@code keep} revisions: then a snapshot
   * comes every {@code e = min(snapshot-every, keep)} events, and Pekko
   * deletes the events more than {@code ceil(keep / e) * e} behind it, so a
   * key keeps from {@code keep} to {@code keep + e - 1} revisions.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    if (keep == 0) return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    int every = Math.min(snapshotEvery, keep);
    return RetentionCriteria.snapshotEvery(every, (keep + every - 1) / every).withDeleteEventsOnSnapshot();
  }
}
