package io.actorkv.audit;

import com.typesafe.config.Config;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.Expiry;
import io.actorkv.store.KeyIndex;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.Value;
import io.actorkv.strong.StoredValue;
import io.actorkv.strong.ValueSeal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KeyIndex} as a table in the journal's database, fed from the
 * journal by {@link JournalFeed} (so it never passes an offset a write in
 * progress may still fill) and holding each strong key's latest live state:
 * the key's bytes (so the database orders them as the API promises), its
 * revision, value and metadata. Deleted and expired keys have no row.
 *
 * <p>Every node feeds it. Each transaction first locks the one row that
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
  public record Settings(Duration pollInterval, Duration waitInterval, int rowsPerRead, Duration retryDelay) {
    public static Settings from(Config root) {
      Config c = root.getConfig("actorkv.listing");
      return new Settings(c.getDuration("index-poll-interval"), c.getDuration("wait-interval"),
          c.getInt("index-rows-per-read"), root.getDuration("actorkv.feed.retry-delay"));
    }
  }

  /** A key's row: its latest live state; {@code value} null for a key that is deleted or expired. */
  private record Row(long revision, String contentType, long modified, Long expires, boolean counter, byte[] value,
                     boolean sealed) {}

  private record NamespaceKey(String namespace, byte[] key) {
    @Override
    public boolean equals(Object o) {
      return o instanceof NamespaceKey k && namespace.equals(k.namespace) && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
      return namespace.hashCode() * 31 + Arrays.hashCode(key);
    }
  }

  private static final byte[] NO_BYTES = new byte[0];
  private static final Row DELETED = new Row(0, null, 0, null, false, null, false);

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
  private final String deleteSql;
  private final String upsertSql;
  private volatile long position = -1;

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
    this.deleteSql = "DELETE FROM " + table + " WHERE " + db.name("ns") + " = ? AND " + db.name("key_bytes") + " = ?";
    this.upsertSql = upsertSql(db, table);
  }

  /** Starts feeding the index from the journal, until {@link #stop}. */
  public void start() {
    feedOnce();
  }

  public void stop() {
    stopped.set(true);
  }

  // ---------------------------------------------------------------- feeding

  private void feedOnce() {
    if (stopped.get()) return;
    CompletableFuture.supplyAsync(this::storedPosition, blocking)
        .thenCompose(from -> feed.pageOfAll(from, settings.rowsPerRead())
            .thenApplyAsync(page -> apply(from, page), blocking))
        .whenComplete((behind, failure) -> {
          if (failure != null) {
            log.warn("the key index could not be fed from the journal after offset {}; trying again in {}",
                position, settings.retryDelay(), failure);
            later(settings.retryDelay(), this::feedOnce);
          } else if (behind) {
            blocking.execute(this::feedOnce);
          } else {
            later(settings.pollInterval(), this::feedOnce);
          }
        });
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
        Map<NamespaceKey, Row> rows = fold(c, page.entries());
        write(c, rows);
        try (PreparedStatement update = c.prepareStatement("UPDATE " + offsetTable + " SET "
            + db.name("applied_through") + " = ? WHERE " + db.name("id") + " = 1")) {
          update.setLong(1, page.next());
          update.executeUpdate();
        }
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

  private long lockOffset(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT " + db.name("applied_through") + " FROM "
        + offsetTable + " WHERE " + db.name("id") + " = 1 FOR UPDATE"); ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Each key's state after the page's changes, in order; an increment starts from the key's row if it needs to. */
  private Map<NamespaceKey, Row> fold(Connection c, List<ChangeLog.Entry> entries) throws SQLException {
    Map<NamespaceKey, Row> rows = new LinkedHashMap<>();
    for (ChangeLog.Entry e : entries) {
      NamespaceKey k = new NamespaceKey(e.namespace(), KeyRange.utf8(e.key()));
      var change = e.change();
      switch (change.operation()) {
        case "put", "revert" -> rows.put(k, new Row(change.revision(), change.contentType(), nanos(change.time()),
            change.expires() == null ? null : nanos(change.expires()), false, e.value(), e.sealed()));
        case "delete", "expire" -> rows.put(k, DELETED);
        case "increment" -> {
          Row before = rows.containsKey(k) ? rows.get(k) : read(c, k);
          long count = before != null && before.counter() ? Long.parseLong(new String(before.value(),
              StandardCharsets.US_ASCII)) : 0;
          rows.put(k, new Row(change.revision(), StoredValue.COUNTER_CONTENT_TYPE, nanos(change.time()), null, true,
              Long.toString(count + change.by()).getBytes(StandardCharsets.US_ASCII), false));
        }
        default -> log.error("the key index leaves key {} of {} as it was: revision {} cannot be read",
            e.key(), e.namespace(), change.revision());
      }
    }
    return rows;
  }

  private Row read(Connection c, NamespaceKey k) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT " + db.name("revision") + ", "
        + db.name("content_type") + ", " + db.name("modified_at") + ", " + db.name("expires_at") + ", "
        + db.name("counter") + ", " + db.name("value_bytes") + ", " + db.name("sealed") + " FROM " + table
        + " WHERE " + db.name("ns") + " = ? AND " + db.name("key_bytes") + " = ?")) {
      select.setString(1, k.namespace());
      select.setBytes(2, k.key());
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return null;
        long expires = rs.getLong(4);
        return new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.wasNull() ? null : expires,
            rs.getBoolean(5), rs.getBytes(6), rs.getBoolean(7));
      }
    }
  }

  /**
   * Brings the rows of every key the page touched to their state after it:
   * deletes the rows of keys deleted or expired, and inserts or updates
   * the live ones (one statement a key, where a delete and an insert were
   * two rows' work for the database).
   */
  private void write(Connection c, Map<NamespaceKey, Row> rows) throws SQLException {
    if (rows.isEmpty()) return;
    // One order for every writer, so two nodes applying the same page cannot deadlock.
    List<Map.Entry<NamespaceKey, Row>> sorted = new ArrayList<>(rows.entrySet());
    sorted.sort(Comparator.comparing((Map.Entry<NamespaceKey, Row> e) -> e.getKey().namespace())
        .thenComparing(e -> e.getKey().key(), Arrays::compareUnsigned));
    try (PreparedStatement delete = c.prepareStatement(deleteSql);
         PreparedStatement upsert = c.prepareStatement(upsertSql)) {
      boolean deletes = false;
      boolean upserts = false;
      for (var e : sorted) {
        Row r = e.getValue();
        if (r.value() == null) {
          delete.setString(1, e.getKey().namespace());
          delete.setBytes(2, e.getKey().key());
          delete.addBatch();
          deletes = true;
          continue;
        }
        upsert.setString(1, e.getKey().namespace());
        upsert.setBytes(2, e.getKey().key());
        upsert.setLong(3, r.revision());
        upsert.setString(4, r.contentType());
        upsert.setInt(5, r.sealed() ? ValueSeal.plainLength(r.value().length) : r.value().length);
        upsert.setLong(6, r.modified());
        if (r.expires() == null) {
          upsert.setNull(7, Types.BIGINT);
        } else {
          upsert.setLong(7, r.expires());
        }
        upsert.setBoolean(8, r.counter());
        upsert.setBytes(9, r.value());
        upsert.setBoolean(10, r.sealed());
        upsert.addBatch();
        upserts = true;
      }
      if (deletes) delete.executeBatch();
      if (upserts) upsert.executeBatch();
    }
  }

  /** Insert a key's row or replace its columns: PostgreSQL's ON CONFLICT, H2's MERGE. */
  private static String upsertSql(JournalDatabase db, String table) {
    List<String> columns = List.of("ns", "key_bytes", "revision", "content_type", "value_size", "modified_at",
        "expires_at", "counter", "value_bytes", "sealed");
    String names = String.join(", ", columns.stream().map(db::name).toList());
    String values = " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    if (db.vendor().equals("h2")) {
      return "MERGE INTO " + table + " (" + names + ") KEY (" + db.name("ns") + ", " + db.name("key_bytes") + ")"
          + values;
    }
    String updates = String.join(", ", columns.subList(2, columns.size()).stream()
        .map(column -> column + " = EXCLUDED." + column).toList());
    return "INSERT INTO " + table + " (" + names + ")" + values + " ON CONFLICT (ns, key_bytes) DO UPDATE SET "
        + updates;
  }

  // ---------------------------------------------------------------- listing

  @Override
  public CompletionStage<KeyOutcome> list(String storageName, KeyRequest.List request, Supplier<Duration> left) {
    return CompletableFuture.supplyAsync(this::head, blocking)
        .thenCompose(head -> caughtUp(head, left))
        .thenApplyAsync(ignored -> request.countOnly() ? count(storageName, request) : page(storageName, request), blocking);
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

  /** Completes once the index is applied through {@code head[0]}; fails when the time left runs out first. */
  private CompletionStage<Void> caughtUp(long[] head, Supplier<Duration> left) {
    if (head[1] >= head[0]) return CompletableFuture.completedFuture(null);
    if (left.get().isZero()) {
      return CompletableFuture.failedFuture(new TimeoutException(
          "the key index was not applied through journal offset " + head[0] + " in time (it is at " + head[1] + ")"));
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
    parameters.add(nanos(clock.instant()));
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

  /** Times are kept as nanoseconds since the epoch, as exact as the events' own. */
  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
