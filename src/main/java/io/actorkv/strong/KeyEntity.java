package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.Ticker;
import io.actorkv.store.Expiry;
import io.actorkv.store.Precondition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
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
   * revision), and whether its data key could be made ready.
   */
  record RetentionKnown(int keep, boolean keyReady) implements Command {}

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
   * read, the entity stops, and the next command starts it again.
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
        if (failure != null) ctx.getLog().error("the data key of {} cannot be read", storageName, failure);
        return new RetentionKnown(failure == null ? k : 0, failure == null);
      });
      return Behaviors.<Command>withStash(WAITING_COMMANDS, waiting -> Behaviors.receive(Command.class)
          .onMessage(RetentionKnown.class, r -> r.keyReady()
              ? waiting.unstashAll(create(entityId, clock, ticker, snapshotEvery, live, r.keep(), idempotency, seal))
              : Behaviors.stopped())
          .onAnyMessage(command -> {
            waiting.stash(command);
            return Behaviors.same();
          })
          .build());
    });
  }

  /** A key that keeps every revision, and idempotency keys as reference.conf's defaults do (24 h, 1,000). */
  static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                  LiveStates live) {
    return create(entityId, clock, ticker, snapshotEvery, live, 0,
        new IdempotencyLimits(Duration.ofHours(24), 1000), ValueSeal.OFF);
  }

  /** A key that keeps at least its {@code keep} latest revisions in the journal (0: all). */
  static Behavior<Command> create(String entityId, Clock clock, Ticker ticker, int snapshotEvery,
                                  LiveStates live, int keep, IdempotencyLimits idempotency, ValueSeal seal) {
    return Behaviors.withTimers(timers ->
        new KeyEntity(entityId, clock, ticker, snapshotEvery, keep, idempotency, live, seal, timers));
  }

  private final String entityId;
  private final Clock clock;
  private final Ticker ticker;
  private final int snapshotEvery;
  private final int keep;
  private final IdempotencyLimits idempotency;
  private final LiveStates live;
  private final ValueSeal seal;
  private final TimerScheduler<Command> timers;

  private KeyEntity(String entityId, Clock clock, Ticker ticker, int snapshotEvery, int keep,
                    IdempotencyLimits idempotency, LiveStates live, ValueSeal seal, TimerScheduler<Command> timers) {
    super(PersistenceId.ofUniqueId(persistenceId(entityId)),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.entityId = entityId;
    this.clock = clock;
    this.ticker = ticker;
    this.snapshotEvery = snapshotEvery;
    this.keep = keep;
    this.idempotency = idempotency;
    this.live = live;
    this.seal = seal;
    this.timers = timers;
  }

  @Override
  public KeyState emptyState() {
    return KeyState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, KeyEvent, KeyState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Get.class, this::onGet)
        .onCommand(Write.class, this::onWrite)
        .onCommand(Touch.class, (state, cmd) -> Effect().noReply())
        .onCommand(ExpiryDue.class, this::onExpiryDue)
        .onCommand(Passivate.class, (state, cmd) -> Effect().stop().thenNoReply())
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
    if (seal.shredded(entityId.substring(0, entityId.indexOf(SEPARATOR)))) {
      return Effect().reply(cmd.replyTo(), new KeyReply.Shredded());
    }
    KeyReply recalled = state.recall(cmd.idempotency(), clock.instant(), idempotency);
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
            cmd.idempotency())
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
            cmd.principal(), now), cmd.idempotency())
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
    return persist(state, new KeyEvent.CounterIncremented(cmd.by(), cmd.principal(), now), cmd.idempotency())
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
    return persist(state, new KeyEvent.ValueDeleted(cmd.principal(), now), cmd.idempotency())
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
   * The only way this entity persists: the event records the request's
   * idempotency key (if it came with one), its value is sealed (with
   * encryption at rest), it gets its link of the key's hash chain, and
   * every event's state is published before any reply (see
   * {@link #changed}).
   */
  private EffectBuilder<KeyEvent, KeyState> persist(KeyState state, KeyEvent event, Idempotency key) {
    long revision = state.revision() + 1;
    KeyEvent keyed = seal.seal(persistenceId().id(), revision, key == null ? event : event.withIdempotency(key));
    KeyEvent chained = keyed.withHash(state.chainHead(persistenceId().id()).next(revision, keyed));
    return Effect().persist(chained).thenRun(this::changed);
  }

  /** After recovery and after each persisted event, before any reply: publishes the state and times its expiry. */
  private void changed(KeyState state) {
    live.publish(entityId, state, ticker.nanoTime());
    scheduleExpiry(state);
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
        .onSignal(RecoveryCompleted.instance(), this::changed)
        .onSignal(PreRestart.instance(), state -> live.withdraw(entityId))
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
