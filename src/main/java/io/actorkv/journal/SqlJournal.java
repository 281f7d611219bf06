package io.actorkv.journal;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.event.EventStream;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol.DeleteMessagesTo;
import org.apache.pekko.persistence.JournalProtocol.RecoverySuccess;
import org.apache.pekko.persistence.JournalProtocol.ReplayMessages;
import org.apache.pekko.persistence.JournalProtocol.ReplayMessagesFailure;
import org.apache.pekko.persistence.JournalProtocol.ReplayedMessage;
import org.apache.pekko.persistence.JournalProtocol.WriteMessages;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.serialization.SerializationExtension;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The journal plugin of every persistent actor (plugin id
 * {@code actorkv-journal}): Pekko Persistence's journal protocol over the
 * {@code event_journal} table of pekko-persistence-jdbc, the table that the
 * read journal, the change feed, the audit, backups and key histories read.
 * It writes the same rows that pekko-persistence-jdbc's journal wrote, so a
 * journal written by either is read by both.
 *
 * <p>Why not that journal: its writes cross a stream, a Slick thread pool,
 * future callbacks, a circuit breaker's timer and a resequencing actor
 * before the entity hears of them. Here this actor serializes the events of each write request and
 * queues them on a {@link JournalWriters writer thread}, which commits
 * whatever is queued as one transaction and tells each entity itself.
 * Replays, highest sequence numbers and deletions run as plain JDBC on a
 * small pool of their own.
 *
 * <p>Order: a persistent actor's requests always go to the same writer, so
 * its replies come in the order it asked. Single writer per key: the table's
 * primary key (persistence id, sequence number) refuses a second writer's
 * event, and that write fails as a whole.
 */
public final class SqlJournal extends AbstractActor {

  private final EventTable rows;
  private final JournalWriters writers;
  private final HikariDataSource readers;
  private final ExecutorService reads;
  /** Pekko's test setting: replays and deletions, once answered, go to the event stream. */
  private final boolean publishCommands;
  private final EventStream eventStream;

  public SqlJournal(Config config) {
    checkSettings(config);
    Config system = context().system().settings().config();
    JournalDatabase database = JournalDatabase.fromPekkoConfig(system);
    long callTimeout = config.getDuration("circuit-breaker.call-timeout", TimeUnit.MILLISECONDS);
    int readerCount = config.getInt("readers");
    int writerCount = config.getInt("writers");
    this.publishCommands = system.hasPath("pekko.persistence.publish-plugin-commands")
        && system.getBoolean("pekko.persistence.publish-plugin-commands");
    this.eventStream = context().system().eventStream();
    this.rows = new EventTable(database, SerializationExtension.get(context().system()));
    this.readers = database.journalPool("actorkv-journal-reads", readerCount, callTimeout);
    this.reads = Executors.newFixedThreadPool(readerCount, r -> {
      Thread t = new Thread(r, "actorkv-journal-reads");
      t.setDaemon(true);
      return t;
    });
    this.writers = new JournalWriters(rows, JournalHooks.get(context().system()),
        database.journalPool("actorkv-journal-writes", writerCount, callTimeout), writerCount,
        config.getInt("batch-size"), config.getInt("buffer-size"), self());
  }

  /**
   * Refuses settings of the plugin's block ({@code actorkv-journal}) it
   * cannot run with, naming the setting; the node checks them before it starts.
   */
  public static void checkSettings(Config config) {
    for (String setting : new String[] {"writers", "batch-size", "buffer-size", "readers"}) {
      if (config.getInt(setting) < 1) {
        throw new IllegalArgumentException("actorkv-journal." + setting + " must be at least 1, not "
            + config.getInt(setting));
      }
    }
    if (config.getInt("buffer-size") < config.getInt("writers")) {
      throw new IllegalArgumentException("actorkv-journal.buffer-size (" + config.getInt("buffer-size")
          + ") must be at least actorkv-journal.writers (" + config.getInt("writers") + "): each writer has a share");
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(WriteMessages.class, this::write)
        .match(ReplayMessages.class, r -> reads.execute(() -> replay(r)))
        .match(DeleteMessagesTo.class, d -> reads.execute(() -> delete(d)))
        .build();
  }

  @Override
  public void postStop() {
    writers.close();
    reads.shutdownNow();
    readers.close();
  }

  private void write(WriteMessages request) {
    List<PersistentEnvelope> messages = CollectionConverters.asJava(request.messages());
    List<JournalWriters.Entry> entries = new ArrayList<>(messages.size());
    long now = System.currentTimeMillis();
    for (PersistentEnvelope message : messages) {
      if (message instanceof AtomicWrite write) {
        entries.add(rows.serialize(write, now));
      } else {
        entries.add(new JournalWriters.Loop(message.payload(), message.sender()));
      }
    }
    writers.submit(new JournalWriters.Request(request.persistentActor(), request.actorInstanceId(), entries));
  }

  /**
   * The events from the request's first to its last (at most the highest),
   * then the highest sequence number: one statement, outside a transaction
   * (so the driver reads all rows at once; the actor's mailbox holds them
   * all anyway). An entity's replay is at most one snapshot interval long.
   */
  private void replay(ReplayMessages request) {
    ActorRef to = request.persistentActor();
    try (Connection c = readers.getConnection()) {
      c.setAutoCommit(true);
      long highest = 0;
      try (PreparedStatement select = c.prepareStatement(rows.replay())) {
        select.setString(1, request.persistenceId());
        select.setString(2, request.persistenceId());
        select.setLong(3, request.fromSequenceNr());
        select.setLong(4, request.toSequenceNr());
        select.setLong(5, Math.max(1, Math.min(request.max(), Integer.MAX_VALUE)));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            highest = rows.highest(rs);
            if (rs.getObject(1) != null && request.max() > 0) {
              to.tell(new ReplayedMessage(rows.read(rs, request.persistenceId())), ActorRef.noSender());
            }
          }
        }
      }
      to.tell(new RecoverySuccess(highest), ActorRef.noSender());
    } catch (Exception | AssertionError e) {
      to.tell(new ReplayMessagesFailure(e), ActorRef.noSender());
    }
    published(request);
  }

  /**
   * Deletes the events up to {@code toSequenceNr} but keeps the highest of
   * them, marked deleted, so the actor's highest sequence number survives.
   */
  private void delete(DeleteMessagesTo request) {
    try (Connection c = readers.getConnection()) {
      long highest = highestSequenceNr(c, request.persistenceId(), request.toSequenceNr());
      if (highest > 0) {
        try (PreparedStatement delete = c.prepareStatement(rows.deleteBelow());
             PreparedStatement mark = c.prepareStatement(rows.markDeleted())) {
          delete.setString(1, request.persistenceId());
          delete.setLong(2, highest - 1);
          delete.executeUpdate();
          mark.setString(1, request.persistenceId());
          mark.setLong(2, highest);
          mark.executeUpdate();
        }
      }
      c.commit();
      request.persistentActor().tell(new DeleteMessagesSuccess(request.toSequenceNr()), ActorRef.noSender());
    } catch (Exception | AssertionError e) {
      request.persistentActor().tell(new DeleteMessagesFailure(e, request.toSequenceNr()), ActorRef.noSender());
    }
    published(request);
  }

  private void published(Object request) {
    if (publishCommands) eventStream.publish(request);
  }

  private long highestSequenceNr(Connection c, String persistenceId, long atMost) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(rows.highest())) {
      select.setString(1, persistenceId);
      select.setLong(2, atMost);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }
}
