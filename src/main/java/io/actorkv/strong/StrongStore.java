package io.actorkv.strong;

import io.actorkv.Stages;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The strong store as the rest of the node sees it: reads and writes of one
 * key, each answered by that key's entity wherever sharding placed it, or,
 * for a read of a key whose entity runs on this node, from the state that
 * entity published ({@link LiveStates}). A returned stage fails with a
 * {@link java.util.concurrent.TimeoutException} when the entity did not
 * answer in time; a write may then have been applied.
 */
public final class StrongStore {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Clock clock;
  private final LiveStates live;
  private final Duration timeout;
  /** A field, not a method reference in {@link #get}, which would be a new object on every read. */
  private final Consumer<String> touch = entityId -> entity(entityId).tell(new KeyEntity.Touch());

  private StrongStore(ActorSystem<?> system, Clock clock, LiveStates live, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.clock = clock;
    this.live = live;
    this.timeout = timeout;
  }

  /** Starts this node's part of the key entities' sharding and returns the store over them. */
  public static StrongStore start(ActorSystem<?> system, Clock clock, int snapshotEvery, Duration timeout) {
    LiveStates live = new LiveStates(
        LiveStates.touchEvery(LiveStates.idleTimeout(ClusterShardingSettings.create(system))));
    KeyEntity.init(system, clock, snapshotEvery, live);
    return new StrongStore(system, clock, live, timeout);
  }

  public CompletionStage<KeyReply> get(String namespace, String key) {
    String entityId = KeyEntity.entityId(namespace, key);
    KeyState state = live.read(entityId, System.nanoTime(), touch);
    return state != null
        ? CompletableFuture.completedFuture(state.read(clock.instant()))
        : ask(entityId, KeyEntity.Get::new);
  }

  public CompletionStage<KeyReply> put(String namespace, String key, byte[] value, String contentType,
                                       Duration ttl, Precondition precondition, String principal) {
    return ask(KeyEntity.entityId(namespace, key),
        replyTo -> new KeyEntity.Put(value, contentType, ttl, precondition, principal, replyTo));
  }

  public CompletionStage<KeyReply> delete(String namespace, String key, Precondition precondition,
                                          String principal) {
    return ask(KeyEntity.entityId(namespace, key),
        replyTo -> new KeyEntity.Delete(precondition, principal, replyTo));
  }

  public CompletionStage<KeyReply> increment(String namespace, String key, long by, String principal) {
    return ask(KeyEntity.entityId(namespace, key),
        replyTo -> new KeyEntity.Increment(by, principal, replyTo));
  }

  /**
   * Whether any key of the namespace holds a live value. Walks every
   * persistence id in the journal, so its cost grows with the number of keys
   * ever written; it stops at the first live key. Meant for namespace deletion.
   */
  public CompletionStage<Boolean> hasLiveKeys(String namespace) {
    String prefix = KeyEntity.persistenceIdPrefix(namespace);
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return Stages.direct(journal.currentPersistenceIds()
            .filter(id -> id.startsWith(prefix))
            .mapAsync(4, id -> get(namespace, id.substring(prefix.length())))
            .filter(reply -> reply instanceof KeyReply.Found)
            .runWith(Sink.headOption(), system))
        .thenApply(found -> found.isPresent());
  }

  private CompletionStage<KeyReply> ask(String entityId, Function<ActorRef<KeyReply>, KeyEntity.Command> command) {
    return Stages.direct(entity(entityId).ask(command, timeout));
  }

  private EntityRef<KeyEntity.Command> entity(String entityId) {
    return sharding.entityRefFor(KeyEntity.TYPE_KEY, entityId);
  }
}
