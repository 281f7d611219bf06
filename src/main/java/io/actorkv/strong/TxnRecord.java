package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.Stages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The outcome of one transaction, decided once and durably: "success" or
 * "failure" (which branch its keys apply) or "abort" (none). The first
 * decision stored wins, so a transaction's driver and a key that asks
 * ({@link Resolve}: presumed abort) can never decide differently. A
 * sharded entity per transaction id, persistence id {@code txn|<id>}.
 */
public final class TxnRecord extends EventSourcedBehaviorWithEnforcedReplies<TxnRecord.Command, TxnRecord.Event,
    TxnRecord.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "txn");

  public sealed interface Command extends CborSerializable {}

  /** Decides {@code outcome} unless an outcome is decided already; answers the outcome that stands. */
  public record Decide(String outcome, ActorRef<Decision> replyTo) implements Command {}

  /** Answers the outcome, deciding "abort" if none was decided: a key held too long asks this. */
  public record Resolve(ActorRef<Decision> replyTo) implements Command {}

  public record Decision(String outcome) implements CborSerializable {}

  public sealed interface Event {}

  public record Decided(String outcome, Instant at) implements Event {}

  /** {@code outcome} null: not decided. */
  public record State(String outcome) {}

  static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> new TxnRecord(ctx.getEntityId(), clock)));
  }

  /** Asks transaction {@code txnId}'s record for its outcome (deciding abort if it has none). */
  static CompletionStage<String> resolve(ActorSystem<?> system, String txnId, Duration timeout) {
    return Stages.direct(ClusterSharding.get(system).entityRefFor(TYPE_KEY, txnId)
        .<Decision>ask(Resolve::new, timeout)).thenApply(Decision::outcome);
  }

  /** Asks transaction {@code txnId}'s record to decide {@code outcome}; the outcome that stands. */
  static CompletionStage<String> decide(ActorSystem<?> system, String txnId, String outcome, Duration timeout) {
    return Stages.direct(ClusterSharding.get(system).entityRefFor(TYPE_KEY, txnId)
        .<Decision>ask(replyTo -> new Decide(outcome, replyTo), timeout)).thenApply(Decision::outcome);
  }

  private final Clock clock;

  private TxnRecord(String txnId, Clock clock) {
    super(PersistenceId.ofUniqueId(TYPE_KEY.name() + KeyEntity.SEPARATOR + txnId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Decide.class, (state, cmd) -> decide(state, cmd.outcome(), cmd.replyTo()))
        .onCommand(Resolve.class, (state, cmd) -> decide(state, "abort", cmd.replyTo()))
        .build();
  }

  private ReplyEffect<Event, State> decide(State state, String outcome, ActorRef<Decision> replyTo) {
    if (state.outcome() != null) return Effect().reply(replyTo, new Decision(state.outcome()));
    return Effect().persist(new Decided(outcome, clock.instant()))
        .thenReply(replyTo, next -> new Decision(next.outcome()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Decided.class, (state, decided) -> new State(decided.outcome()))
        .build();
  }
}
