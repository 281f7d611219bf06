package io.actorkv.journal;

import com.zaxxer.hikari.HikariDataSource;
import io.actorkv.base.NotStored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.JournalProtocol.LoopMessageSuccess;
import org.apache.pekko.persistence.JournalProtocol.WriteMessageFailure;
import org.apache.pekko.persistence.JournalProtocol.WriteMessageRejected;
import org.apache.pekko.persistence.JournalProtocol.WriteMessageSuccess;
import org.apache.pekko.persistence.JournalProtocol.WriteMessagesFailed;
import org.apache.pekko.persistence.JournalProtocol.WriteMessagesSuccessful$;
import org.apache.pekko.persistence.PersistentRepr;

/**
 * Group commit for {@link SqlJournal}: a few writer threads, each with a
 * queue of write requests. A writer takes whatever is queued (up to a batch
 * of rows), inserts it in one transaction, and once the commit returns tells
 * every requesting actor the outcome, in the order its requests came. While
 * one commit waits for the disk, the next batch gathers, so concurrent
 * writers share each flush. A request is acknowledged only after the commit
 * that holds its rows is on stable storage ({@link EventTable#sync}). If the database refuses one of the batch's rows, each
 * request is committed again on its own and only those refused fail; if the
 * commit fails otherwise, every request in it fails.
 */
final class JournalWriters implements AutoCloseable {

  /** One entry of a write request, in the request's order. */
  sealed interface Entry {}

  /** An atomic write: its events and their rows, stored together or not at all. */
  record Events(List<PersistentRepr> events, List<EventTable.Row> rows) implements Entry {}

  /** An atomic write refused before it reached the database. */
  record Rejected(List<PersistentRepr> events, Exception cause) implements Entry {}

  /** A message the actor deferred: handed back once everything before it is stored. */
  record Loop(Object payload, ActorRef sender) implements Entry {}

  /** One {@code WriteMessages} request of one persistent actor. */
  record Request(ActorRef persistentActor, int actorInstanceId, List<Entry> entries) {

    int rows() {
      int rows = 0;
      for (Entry entry : entries) if (entry instanceof Events e) rows += e.rows().size();
      return rows;
    }

    void succeeded(ActorRef journal) {
      persistentActor.tell(WriteMessagesSuccessful$.MODULE$, journal);
      for (Entry entry : entries) {
        if (entry instanceof Events e) {
          e.events().forEach(p -> persistentActor.tell(new WriteMessageSuccess(p, actorInstanceId), p.sender()));
        } else if (entry instanceof Rejected r) {
          r.events().forEach(p ->
              persistentActor.tell(new WriteMessageRejected(p, r.cause(), actorInstanceId), p.sender()));
        } else {
          loop((Loop) entry);
        }
      }
    }

    void failed(Throwable cause, ActorRef journal) {
      int atomicWrites = (int) entries.stream().filter(e -> !(e instanceof Loop)).count();
      persistentActor.tell(new WriteMessagesFailed(cause, atomicWrites), journal);
      for (Entry entry : entries) {
        List<PersistentRepr> events = entry instanceof Events e ? e.events()
            : entry instanceof Rejected r ? r.events() : null;
        if (events == null) {
          loop((Loop) entry);
        } else {
          events.forEach(p -> persistentActor.tell(new WriteMessageFailure(p, cause, actorInstanceId), p.sender()));
        }
      }
    }

    private void loop(Loop loop) {
      persistentActor.tell(new LoopMessageSuccess(loop.payload(), actorInstanceId), loop.sender());
    }
  }

  private final EventTable table;
  private final JournalHooks hooks;
  private final HikariDataSource pool;
  private final int batchSize;
  private final ActorRef journal;
  private final List<BlockingQueue<Request>> queues = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * {@code writers} threads sharing {@code pool}; each commits at most
   * {@code batchSize} rows at once (a larger request is committed whole) and
   * holds its share of {@code bufferSize} waiting requests, past which a
   * request fails at once; {@code hooks}' hook runs in every batch's transaction.
   */
  JournalWriters(EventTable table, JournalHooks hooks, HikariDataSource pool, int writers, int batchSize,
                 int bufferSize, ActorRef journal) {
    this.table = table;
    this.hooks = hooks;
    this.pool = pool;
    this.batchSize = batchSize;
    this.journal = journal;
    for (int i = 0; i < writers; i++) {
      BlockingQueue<Request> queue = new ArrayBlockingQueue<>(bufferSize / writers);
      Thread thread = new Thread(() -> write(queue), "actorkv-journal-writer-" + i);
      thread.setDaemon(true);
      queues.add(queue);
      threads.add(thread);
      thread.start();
    }
  }

  /** Queues {@code request} on its actor's writer; fails it at once if that writer's queue is full. */
  void submit(Request request) {
    BlockingQueue<Request> queue = queues.get(Math.floorMod(request.persistentActor().hashCode(), queues.size()));
    if (!queue.offer(request)) {
      request.failed(new NotStored("the journal's queue is full (" + queue.size()
          + " write requests wait for the database); actorkv-journal.buffer-size", null, false), journal);
    }
  }

  private void write(BlockingQueue<Request> queue) {
    List<Request> batch = new ArrayList<>();
    try {
      while (true) {
        Request first = queue.take();
        batch.add(first);
        int rows = first.rows();
        Request next;
        while (rows < batchSize && (next = queue.poll()) != null) {
          batch.add(next);
          rows += next.rows();
        }
        Throwable failure = rows == 0 ? null : commit(batch);
        if (failure != null && batch.size() > 1 && causedByARow(failure)) {
          for (Request request : batch) answer(request, request.rows() == 0 ? null : commit(List.of(request)));
        } else {
          for (Request request : batch) answer(request, failure);
        }
        batch.clear();
      }
    } catch (InterruptedException stopped) {
      NotStored cause = new NotStored("the journal stopped", null, false);
      batch.forEach(r -> r.failed(cause, journal));
      queue.forEach(r -> r.failed(cause, journal));
    }
  }

  private void answer(Request request, Throwable failure) {
    if (failure == null || request.rows() == 0) request.succeeded(journal);
    else request.failed(failure, journal);
  }

  /**
   * Whether the database refused a row rather than the batch: a constraint
   * (SQLSTATE class 23, such as a second writer's event at a sequence number
   * already stored) or the data (class 22). Then each request of the batch
   * is committed again on its own, so that only the requests at fault fail;
   * a failure of the connection or the database fails the batch, as trying
   * each request again would only wait as long again.
   */
  private static boolean causedByARow(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      for (SQLException e = t instanceof SQLException s ? s : null; e != null; e = e.getNextException()) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("22") || state.startsWith("23"))) return true;
      }
    }
    return false;
  }

  /**
   * Null once the batch is committed and on stable storage, else why not.
   * Everything the driver throws fails the batch, not the writer:
   * PostgreSQL's driver throws an AssertionError from a batch on a
   * connection that broke. A batch whose sync fails is committed but fails
   * all the same: its writes may be on disk, and their clients are told so.
   */
  private Throwable commit(List<Request> batch) {
    boolean committing = false;
    try (Connection c = pool.getConnection(); PreparedStatement insert = c.prepareStatement(table.insert())) {
      try {
        List<PersistentRepr> written = new ArrayList<>();
        for (Request request : batch) {
          for (Entry entry : request.entries()) {
            if (!(entry instanceof Events events)) continue;
            for (EventTable.Row row : events.rows()) {
              table.bind(insert, row);
              insert.addBatch();
              written.add(row.event());
            }
          }
        }
        insert.executeBatch();
        hooks.hook().written(c, written);
        committing = true;
        c.commit();
        table.sync(c);
        return null;
      } catch (Exception | AssertionError e) {
        rollback(c, e);
        return notStored(e, committing);
      }
    } catch (Exception | AssertionError e) {
      return notStored(e, committing);
    }
  }

  /**
   * {@code e} as a write's failure: before the commit, nothing was stored;
   * at or after it, it may have been. Its message, which clients see, names
   * the SQLSTATE, not the database's text (which names tables and keys):
   * the entity's log line has the whole cause.
   */
  private static NotStored notStored(Throwable e, boolean committing) {
    String state = null;
    for (Throwable t = e; t != null && state == null; t = t.getCause()) {
      if (t instanceof SQLException sql) state = sql.getSQLState();
    }
    String what = state != null ? "SQLSTATE " + state : e.getClass().getSimpleName();
    return new NotStored(committing ? "the journal's commit failed (" + what + ")"
        : "the journal's database refused the write (" + what + ")", e, committing);
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Stops the writers; requests not yet committed fail. */
  @Override
  public void close() {
    threads.forEach(Thread::interrupt);
    pool.close();
  }
}
