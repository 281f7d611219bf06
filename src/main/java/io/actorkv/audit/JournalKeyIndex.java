package io.actorkv.audit;

import com.typesafe.config.Config;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.journal.JournalHooks;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.Expiry;
import io.actorkv.store.KeyIndex;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.Value;
import io.actorkv.strong.ValueSeal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KeyIndex} as a table in the journal's database, holding each
 * strong key's latest live state: the key's bytes (so the database orders
 * them as the API promises), its revision, value and metadata. Deleted and
 * expired keys have no row ({@link KeyIndexRows}).
 *
 * <p>On a journal of the node's own, the journal writes the rows in the
 * transactions of their events ({@link #startInJournal}). On a journal that
 * nodes share, it is fed from the journal by {@link JournalFeed} (so it
 * never passes an offset a write in progress may still fill), and every
 * node feeds it. Each transaction first locks the one row that
 * says up to which journal offset the index is applied, and goes on only if
 * that is still where its page began: one node applies each page, rows and
 * offset together, and the others, finding the offset moved, read on from
 * there. So no node is special, and one that stops leaves nothing to hand
 * over.
 *
 * <p>A listing reads the journal's highest offset first, and waits until
 * the index is applied through it: every write acknowledged before the
 * listing began was committed by then, at or below that offset.
 */
public final class JournalKeyIndex implements KeyIndex {

  private static final Logger log = LoggerFactory.getLogger(JournalKeyIndex.class);

  /** How the index is fed and waited for: see {@code actorkv.listing} in application.conf. */
  public record Settings(Duration pollInterval, Duration idlePollInterval, Duration waitInterval, int rowsPerRead,
                         Duration retryDelay) {
    public static Settings from(Config root) {
      Config c = root.getConfig("actorkv.listing");
      return new Settings(c.getDuration("index-poll-interval"), c.getDuration("index-idle-poll-interval"),
          c.getDuration("wait-interval"), c.getInt("index-rows-per-read"),
          root.getDuration("actorkv.feed.retry-delay"));
    }
  }

  /** What one read of the journal found. */
  private enum Read { BACKLOG, CHANGES, NOTHING }

  private static final byte[] NO_BYTES = new byte[0];
  /** The offset that says the journal writes the index's rows itself: the index is always caught up. */
  private static final long WRITTEN_BY_JOURNAL = Long.MAX_VALUE;

  private final JournalDatabase db;
  private final DataSource pool;
  private final JournalFeed feed;
  private final Executor blocking;
  private final Clock clock;
  private final Settings settings;
  private final ValueSeal seal;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final String table;
  private final String offsetTable;
  private final String headSql;
  private final KeyIndexRows rows;
  private volatile long position = -1;
  /** How long the feeder waits before its next read: longer after each read that found nothing. */
  private volatile Duration nextRead;
  /** The feeder's waits are numbered; this is the number of the one it is in, 0 while it reads. */
  private final AtomicLong waiting = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();

  /**
   * @param pool writable connections of the index's own; @param seal opens the sealed values a listing shows
   *     (the index keeps them as the journal does)
   */
  public JournalKeyIndex(JournalDatabase db, DataSource pool, JournalFeed feed, Executor blocking, Clock clock,
                         Settings settings, ValueSeal seal) {
    this.db = db;
    this.seal = seal;
    this.pool = pool;
    this.feed = feed;
    this.blocking = blocking;
    this.clock = clock;
    this.settings = settings;
    this.table = db.name("actorkv_key_index");
    this.offsetTable = db.name("actorkv_key_index_offset");
    this.headSql = "SELECT (SELECT COALESCE(MAX(" + db.name("ordering") + "), 0) FROM " + db.name("event_journal")
        + "), (SELECT " + db.name("applied_through") + " FROM " + offsetTable + " WHERE " + db.name("id") + " = 1)";
    this.rows = new KeyIndexRows(db);
    this.nextRead = settings.pollInterval();
  }

  /** Starts feeding the index from the journal, until {@link #stop}: for a journal that nodes share. */
  public void start() {
    feedOnce();
  }

  /**
   * For a journal of this node's own: applies what the index lacks of the
   * journal, then has the journal write the rows of each later batch in
   * that batch's own transaction, and marks the index applied through every
   * offset, so that a listing never waits. Call it before any key can be
   * written, as nothing else may write the journal meanwhile.
   */
  public void startInJournal(JournalHooks hooks) {
    long[] head = head();
    if (head[1] < head[0]) {
      log.info("the key index is applied through journal offset {} of {}: applying the rest before serving",
          head[1], head[0]);
    }
    long from = head[1];
    while (from != WRITTEN_BY_JOURNAL) {
      ChangeLog.Page page = feed.pageOfAll(from, settings.rowsPerRead(), true).toCompletableFuture().join();
      if (page.next() == from) break;
      apply(from, page);
      if (position / 100_000 > from / 100_000) {
        log.info("the key index is applied through journal offset {} of {}", position, head[0]);
      }
      from = position;
    }
    hooks.register(rows);
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      lockOffset(c);
      setOffset(c, WRITTEN_BY_JOURNAL);
      c.commit();
      position = WRITTEN_BY_JOURNAL;
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
  }

  public void stop() {
    stopped.set(true);
  }

  // ---------------------------------------------------------------- feeding

  /**
   * One read of the journal and its page applied, then the next: at once
   * after a backlog, after the poll interval after changes, and after
   * twice the last wait (up to the idle poll interval) after nothing, so
   * that an idle node hardly reads at all. A listing that finds the index
   * behind ends the wait ({@link #wake}).
   */
  private void feedOnce() {
    if (stopped.get()) return;
    CompletableFuture.supplyAsync(this::storedPosition, blocking)
        .thenCompose(from -> feed.pageOfAll(from, settings.rowsPerRead(), false)
            .thenApplyAsync(page -> apply(from, page) ? Read.BACKLOG
                : page.next() == from ? Read.NOTHING : Read.CHANGES, blocking))
        .whenComplete((read, failure) -> {
          if (failure != null) {
            log.warn("the key index could not be fed from the journal after offset {}; trying again in {}",
                position, settings.retryDelay(), failure);
            waitFor(settings.retryDelay());
          } else if (read == Read.BACKLOG) {
            blocking.execute(this::feedOnce);
          } else {
            Duration longest = settings.idlePollInterval().compareTo(settings.pollInterval()) > 0
                ? settings.idlePollInterval() : settings.pollInterval();
            Duration longer = nextRead.multipliedBy(2);
            nextRead = read == Read.CHANGES ? settings.pollInterval()
                : longer.compareTo(longest) < 0 ? longer : longest;
            waitFor(read == Read.CHANGES ? settings.pollInterval() : nextRead);
          }
        });
  }

  private void waitFor(Duration delay) {
    long wait = waits.incrementAndGet();
    waiting.set(wait);
    later(delay, () -> {
      if (waiting.compareAndSet(wait, 0)) feedOnce();
    });
  }

  /** Reads the journal now if the feeder is waiting for its next read, and at the poll interval from then on. */
  private void wake() {
    long wait = waiting.get();
    if (wait != 0 && waiting.compareAndSet(wait, 0)) {
      nextRead = settings.pollInterval();
      blocking.execute(this::feedOnce);
    }
  }

  private void later(Duration delay, Runnable task) {
    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, blocking).execute(task);
  }

  /** The offset the index is applied through: as this node last saw it, or (first) as the table says. */
  private long storedPosition() {
    if (position >= 0) return position;
    try (Connection c = pool.getConnection();
         PreparedStatement select = c.prepareStatement(headSql); ResultSet rs = select.executeQuery()) {
      rs.next();
      position = rs.getLong(2);
      return position;
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
  }

  /**
   * Applies {@code page}, read after offset {@code from}, in one transaction
   * with the offset, if the index is still applied through {@code from};
   * answers whether to read on at once: the read stopped at a limit, or
   * another node had moved the offset. After a partial page the next read
   * waits the poll interval, so that under steady writes a transaction
   * applies that interval's changes, not the few that came in while the
   * last one ran.
   */
  private boolean apply(long from, ChangeLog.Page page) {
    if (page.next() == from) return false;
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (db.vendor().equals("postgresql")) {
          // The rows and the offset are derived from the journal and commit together: a crash that
          // loses this commit takes the index back to an earlier offset, which it applies again.
          // So it need not wait for its WAL to reach the disk, as the journal's own commits do.
          try (Statement async = c.createStatement()) {
            async.execute("SET LOCAL synchronous_commit TO OFF");
          }
        }
        long stored = lockOffset(c);
        if (stored != from) {
          c.rollback();
          position = stored;
          return true;
        }
        rows.apply(c, page.entries().stream().map(KeyIndexRows.KeyChange::of).toList());
        setOffset(c, page.next());
        c.commit();
        position = page.next();
        return page.more();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        position = -1;
        throw e;
      }
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
  }

  private void setOffset(Connection c, long offset) throws SQLException {
    try (PreparedStatement update = c.prepareStatement("UPDATE " + offsetTable + " SET "
        + db.name("applied_through") + " = ? WHERE " + db.name("id") + " = 1")) {
      update.setLong(1, offset);
      update.executeUpdate();
    }
  }

  private long lockOffset(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT " + db.name("applied_through") + " FROM "
        + offsetTable + " WHERE " + db.name("id") + " = 1 FOR UPDATE"); ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------- listing

  @Override
  public CompletionStage<KeyOutcome> list(String storageName, KeyRequest.List request, Supplier<Duration> left) {
    CompletionStage<Void> caughtUp = position == WRITTEN_BY_JOURNAL ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(this::head, blocking).thenCompose(head -> caughtUp(head, left));
    return caughtUp.thenApplyAsync(ignored -> request.countOnly() ? count(storageName, request)
        : page(storageName, request), blocking);
  }

  /** The journal's highest offset now, and the offset the index is applied through. */
  private long[] head() {
    try (Connection c = pool.getConnection();
         PreparedStatement select = c.prepareStatement(headSql); ResultSet rs = select.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
  }

  /**
   * Completes once the index is applied through {@code head[0]}, waking the
   * feeder each time it finds it waiting meanwhile; fails when the time left
   * runs out first.
   */
  private CompletionStage<Void> caughtUp(long[] head, Supplier<Duration> left) {
    if (head[1] >= head[0]) return CompletableFuture.completedFuture(null);
    wake();
    if (left.get().isZero()) {
      return CompletableFuture.failedFuture(new KeyIndex.Behind(head[1], head[0]));
    }
    CompletableFuture<long[]> again = new CompletableFuture<>();
    later(settings.waitInterval(), () -> {
      try {
        long[] now = head();
        again.complete(new long[] {head[0], now[1]});
      } catch (RuntimeException e) {
        again.completeExceptionally(e);
      }
    });
    return again.thenCompose(next -> caughtUp(next, left));
  }

  /** The WHERE of a range's live rows at {@code now}, with the parameters it takes, in order. */
  private String where(String storageName, KeyRequest.List request, List<Object> parameters) {
    KeyRange range = request.range();
    StringBuilder sql = new StringBuilder(" WHERE " + db.name("ns") + " = ? AND " + db.name("key_bytes") + " >= ?");
    parameters.add(storageName);
    parameters.add(range.start());
    if (range.end().isPresent()) {
      sql.append(" AND ").append(db.name("key_bytes")).append(" < ?");
      parameters.add(range.end().get());
    }
    if (request.after().isPresent()) {
      sql.append(" AND ").append(db.name("key_bytes")).append(" > ?");
      parameters.add(KeyRange.utf8(request.after().get()));
    }
    sql.append(" AND (").append(db.name("expires_at")).append(" IS NULL OR ").append(db.name("expires_at"))
        .append(" > ?)");
    parameters.add(KeyIndexRows.nanos(clock.instant()));
    return sql.toString();
  }

  private KeyOutcome count(String storageName, KeyRequest.List request) {
    List<Object> parameters = new ArrayList<>();
    String sql = "SELECT COUNT(*) FROM " + table + where(storageName, request, parameters);
    try (Connection c = pool.getConnection(); PreparedStatement select = prepare(c, sql, parameters);
         ResultSet rs = select.executeQuery()) {
      rs.next();
      return new KeyOutcome.KeyCount(rs.getLong(1));
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
  }

  private KeyOutcome page(String storageName, KeyRequest.List request) {
    List<Object> parameters = new ArrayList<>();
    String sql = "SELECT " + db.name("key_bytes") + ", " + db.name("revision") + ", " + db.name("content_type")
        + ", " + db.name("modified_at") + ", " + db.name("expires_at") + ", " + db.name("value_size")
        + (request.withValues() ? ", " + db.name("value_bytes") + ", " + db.name("sealed") : "")
        + " FROM " + table + where(storageName, request, parameters)
        + " ORDER BY " + db.name("key_bytes") + " LIMIT " + (request.limit() + 1);
    List<KeyOutcome.Listed> keys = new ArrayList<>();
    boolean more = false;
    try (Connection c = pool.getConnection()) {
      // PostgreSQL streams a result with a fetch size only inside a transaction.
      c.setAutoCommit(false);
      try (PreparedStatement select = prepare(c, sql, parameters)) {
        select.setFetchSize(Math.min(request.limit() + 1, 1000));
        try (ResultSet rs = select.executeQuery()) {
          long bytes = 0;
          while (rs.next()) {
            int size = rs.getInt(6);
            if (keys.size() == request.limit()
                || (request.withValues() && !keys.isEmpty() && bytes + size > request.maxValueBytes())) {
              more = true;
              break;
            }
            bytes += size;
            String key = new String(rs.getBytes(1), StandardCharsets.UTF_8);
            long expires = rs.getLong(5);
            Expiry expiry = rs.wasNull() ? Expiry.NEVER : Expiry.at(instant(expires));
            byte[] value = !request.withValues() ? NO_BYTES
                : rs.getBoolean(8) ? seal.open(storageName, key, rs.getLong(2), rs.getBytes(7)) : rs.getBytes(7);
            keys.add(new KeyOutcome.Listed(key, OptionalLong.of(rs.getLong(2)),
                new Value(value, rs.getString(3), instant(rs.getLong(4)), expiry), size, 1, request.withValues()));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new ChangeLog.Unavailable(e);
    }
    return new KeyOutcome.Listing(keys, more ? Optional.of(keys.get(keys.size() - 1).key()) : Optional.empty());
  }

  private static PreparedStatement prepare(Connection c, String sql, List<Object> parameters) throws SQLException {
    PreparedStatement statement = c.prepareStatement(sql);
    for (int i = 0; i < parameters.size(); i++) {
      Object p = parameters.get(i);
      if (p instanceof byte[] b) {
        statement.setBytes(i + 1, b);
      } else if (p instanceof Long l) {
        statement.setLong(i + 1, l);
      } else {
        statement.setString(i + 1, (String) p);
      }
    }
    return statement;
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
