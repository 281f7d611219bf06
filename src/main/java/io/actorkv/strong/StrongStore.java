package io.actorkv.strong;

import io.actorkv.Stages;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The strong store as the rest of the node sees it: reads and writes of one
 * key, each answered by that key's entity wherever sharding placed it. A
 * returned stage fails with a {@link java.util.concurrent.TimeoutException}
 * when the entity did not answer in time; a write may then have been applied.
 */
public final class StrongStore {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;

  public StrongStore(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  public CompletionStage<KeyReply> get(String namespace, String key) {
    return ask(namespace, key, KeyEntity.Get::new);
  }

  public CompletionStage<KeyReply> put(String namespace, String key, byte[] value, String contentType,
                                       Duration ttl, Precondition precondition, String principal) {
    return ask(namespace, key,
        replyTo -> new KeyEntity.Put(value, contentType, ttl, precondition, principal, replyTo));
  }

  public CompletionStage<KeyReply> delete(String namespace, String key, Precondition precondition,
                                          String principal) {
    return ask(namespace, key, replyTo -> new KeyEntity.Delete(precondition, principal, replyTo));
  }

  public CompletionStage<KeyReply> increment(String namespace, String key, long by, String principal) {
    return ask(namespace, key, replyTo -> new KeyEntity.Increment(by, principal, replyTo));
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

  private CompletionStage<KeyReply> ask(String namespace, String key,
                                        Function<ActorRef<KeyReply>, KeyEntity.Command> command) {
    EntityRef<KeyEntity.Command> entity =
        sharding.entityRefFor(KeyEntity.TYPE_KEY, KeyEntity.entityId(namespace, key));
    return Stages.direct(entity.ask(command, timeout));
  }
}
