package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.Stages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * A transaction sent with an {@code Idempotency-Key}: one sharded entity
 * per principal and key (persistence id {@code txn-claim|<sha-256>}), which
 * remembers the request's fingerprint, the attempt last started and, once
 * there is one, the final outcome. One request at a time owns it (a lease
 * until that request's deadline), so two sends of one key never both run;
 * a later send finds the outcome, or takes over from a request that ended
 * without one after settling that request's last attempt through its
 * {@link TxnRecord}.
 */
public final class TxnClaim extends EventSourcedBehaviorWithEnforcedReplies<TxnClaim.Command, TxnClaim.Event,
    TxnClaim.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "txn-claim");

  public sealed interface Command extends CborSerializable {}

  /** Asks to own the claim until {@code leaseUntil} for a request of {@code fingerprint}. */
  public record Claim(String fingerprint, String owner, Instant leaseUntil, ActorRef<Claimed> replyTo)
      implements Command {}

  /** Records that {@code owner} starts attempt {@code txnId}; refused ({@code false}) if it no longer owns it. */
  public record Attempt(String owner, String txnId, ActorRef<Boolean> replyTo) implements Command {}

  /** Records the final outcome of {@code owner}'s request. */
  public record Complete(String owner, Result result, ActorRef<Boolean> replyTo) implements Command {}

  /**
   * What a claim answers: {@code status} "new" (run it), "takeover" (run it
   * once {@code lastAttempt}, if any, is settled), "done" ({@code result}),
   * "reused" (the key came with another request) or "busy" (another
   * request owns it now).
   */
  public record Claimed(String status, String lastAttempt, Result result) implements CborSerializable {}

  /**
   * A transaction's final outcome: which branch; {@code refusedAt} the
   * branch's operation that could not apply (then {@code results} holds
   * only its refusal), else -1; an empty {@code results} when they were
   * not kept (the driver stopped between applying and recording them).
   */
  public record Result(boolean succeeded, int refusedAt, List<KeyReply.OpResult> results) {
    public Result {
      results = List.copyOf(results);
    }
  }

  public sealed interface Event {}

  public record ClaimTaken(String fingerprint, String owner, Instant leaseUntil, Instant at) implements Event {}

  public record AttemptStarted(String txnId) implements Event {}

  public record Completed(Result result) implements Event {}

  /** {@code fingerprint} null: never claimed; {@code at}: when the key was first used. */
  public record State(String fingerprint, Instant at, String owner, Instant leaseUntil, String lastAttempt,
                      Result result) {}

  static void init(ActorSystem<?> system, Clock clock, Duration window) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> new TxnClaim(ctx.getEntityId(), clock, window)));
  }

  static CompletionStage<Claimed> claim(ActorSystem<?> system, String claimId, String fingerprint, String owner,
                                        Instant leaseUntil, Duration timeout) {
    return Stages.direct(ClusterSharding.get(system).entityRefFor(TYPE_KEY, claimId)
        .ask(replyTo -> new Claim(fingerprint, owner, leaseUntil, replyTo), timeout));
  }

  static CompletionStage<Boolean> attempt(ActorSystem<?> system, String claimId, String owner, String txnId,
                                          Duration timeout) {
    return Stages.direct(ClusterSharding.get(system).entityRefFor(TYPE_KEY, claimId)
        .ask(replyTo -> new Attempt(owner, txnId, replyTo), timeout));
  }

  static CompletionStage<Boolean> complete(ActorSystem<?> system, String claimId, String owner, Result result,
                                           Duration timeout) {
    return Stages.direct(ClusterSharding.get(system).entityRefFor(TYPE_KEY, claimId)
        .ask(replyTo -> new Complete(owner, result, replyTo), timeout));
  }

  private final Clock clock;
  private final Duration window;

  private TxnClaim(String claimId, Clock clock, Duration window) {
    super(PersistenceId.ofUniqueId(TYPE_KEY.name() + KeyEntity.SEPARATOR + claimId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
    this.window = window;
  }

  @Override
  public State emptyState() {
    return new State(null, null, null, null, null, null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Attempt.class, (state, cmd) -> cmd.owner().equals(state.owner())
            ? Effect().persist(new AttemptStarted(cmd.txnId())).thenReply(cmd.replyTo(), next -> true)
            : Effect().reply(cmd.replyTo(), false))
        .onCommand(Complete.class, (state, cmd) -> cmd.owner().equals(state.owner()) && state.result() == null
            ? Effect().persist(new Completed(cmd.result())).thenReply(cmd.replyTo(), next -> true)
            : Effect().reply(cmd.replyTo(), false))
        .build();
  }

  /** A key used longer ago than the window is a new one, as for single-key writes. */
  private ReplyEffect<Event, State> onClaim(State state, Claim cmd) {
    Instant now = clock.instant();
    boolean fresh = state.fingerprint() == null || !state.at().plus(window).isAfter(now);
    if (fresh) {
      return Effect().persist(new ClaimTaken(cmd.fingerprint(), cmd.owner(), cmd.leaseUntil(), now))
          .thenReply(cmd.replyTo(), next -> new Claimed("new", null, null));
    }
    if (!state.fingerprint().equals(cmd.fingerprint())) {
      return Effect().reply(cmd.replyTo(), new Claimed("reused", null, null));
    }
    if (state.result() != null) return Effect().reply(cmd.replyTo(), new Claimed("done", null, state.result()));
    if (state.leaseUntil().isAfter(now)) return Effect().reply(cmd.replyTo(), new Claimed("busy", null, null));
    return Effect().persist(new ClaimTaken(cmd.fingerprint(), cmd.owner(), cmd.leaseUntil(), state.at()))
        .thenReply(cmd.replyTo(), next -> new Claimed("takeover", next.lastAttempt(), null));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ClaimTaken.class, (s, e) -> new State(e.fingerprint(), e.at(), e.owner(), e.leaseUntil(),
            e.fingerprint().equals(s.fingerprint()) && e.at().equals(s.at()) ? s.lastAttempt() : null,
            e.fingerprint().equals(s.fingerprint()) && e.at().equals(s.at()) ? s.result() : null))
        .onEvent(AttemptStarted.class, (s, e) -> new State(s.fingerprint(), s.at(), s.owner(), s.leaseUntil(),
            e.txnId(), s.result()))
        .onEvent(Completed.class, (s, e) -> new State(s.fingerprint(), s.at(), s.owner(), s.leaseUntil(),
            s.lastAttempt(), e.result()))
        .build();
  }
}
