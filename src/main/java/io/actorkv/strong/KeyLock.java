package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The durable half of a key's transaction lock: which transaction holds the
 * key, the key's revision when it took it, and the key's operations of each
 * branch. A child of the key's entity (so it has the key's single writer),
 * with a journal of its own ({@code kvlock|<ns>|<key>}), so that a lock is
 * no revision of the key: revisions stay the key's changes. The entity
 * serves nothing until this has recovered, so a lock survives any crash.
 */
final class KeyLock extends EventSourcedBehavior<KeyLock.Command, KeyLock.Event, KeyLock.State> {

  sealed interface Command extends CborSerializable {}

  /** Makes {@code held} durable, then tells the entity {@link KeyEntity.LockStored}. */
  record Hold(Held held) implements Command {}

  /** Frees the key if {@code txnId} holds it. */
  record Release(String txnId, Instant at) implements Command {}

  /** Tells the entity {@link KeyEntity.LockRecovered} with what the journal holds, after any write in progress. */
  record Report() implements Command {}

  sealed interface Event {}

  /**
   * Transaction {@code txnId} holds the key, taken at revision
   * {@code revision}; its operations on the key in each branch.
   */
  record Held(String txnId, long revision, List<TxnOp> success, List<TxnOp> failure, Instant at) implements Event {
    public Held {
      success = List.copyOf(success);
      failure = List.copyOf(failure);
    }
  }

  record Released(String txnId, Instant at) implements Event {}

  /** {@code held} null: the key is free. Also the lock's snapshot. */
  record State(Held held) {}

  static Behavior<Command> create(String entityId, ActorRef<KeyEntity.Command> entity) {
    return new KeyLock(entityId, entity);
  }

  private final ActorRef<KeyEntity.Command> entity;

  /** The lock of the key whose entity id is {@code entityId} keeps its journal as {@code kvlock|<ns>|<key>}. */
  static String persistenceId(String entityId) {
    return "kvlock" + KeyEntity.SEPARATOR + entityId;
  }

  private KeyLock(String entityId, ActorRef<KeyEntity.Command> entity) {
    super(PersistenceId.ofUniqueId(persistenceId(entityId)),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.entity = entity;
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Hold.class, (state, cmd) -> Effect().persist(cmd.held())
            .thenRun(next -> entity.tell(new KeyEntity.LockStored(cmd.held().txnId()))))
        .onCommand(Release.class, (state, cmd) -> state.held() != null && state.held().txnId().equals(cmd.txnId())
            ? Effect().persist(new Released(cmd.txnId(), cmd.at()))
            : Effect().none())
        .onCommand(Report.class, (state, cmd) -> Effect().none()
            .thenRun(now -> entity.tell(new KeyEntity.LockRecovered(now.held()))))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Held.class, (state, held) -> new State(held))
        .onEvent(Released.class, (state, released) -> new State(null))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> entity.tell(new KeyEntity.LockRecovered(state.held())))
        .build();
  }

  /** A key locked often keeps a short journal: only the latest snapshot and the events after it. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
  }
}
