package io.actorkv.audit;

import io.actorkv.journal.JournalDatabase;
import io.actorkv.journal.JournalHooks;
import io.actorkv.store.Change;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.KeyRange;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.StoredValue;
import io.actorkv.strong.ValueSeal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.PersistentRepr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of the key index ({@link JournalKeyIndex}): each strong key's
 * latest live state, brought up to date from its changes in journal order.
 * The changes come from the journal read back by the feed, or, as a
 * {@link JournalHooks.WriteHook}, from the events of each batch the journal
 * commits, in that batch's transaction.
 */
final class KeyIndexRows implements JournalHooks.WriteHook {

  private static final Logger log = LoggerFactory.getLogger(KeyIndexRows.class);

  /** A change of a key, as much of it as the index keeps; {@code by} only for an increment. */
  record KeyChange(String namespace, String key, long revision, String operation, Instant time, Instant expires,
                String contentType, byte[] value, boolean sealed, long by) {

    static KeyChange of(ChangeLog.Entry e) {
      Change c = e.change();
      return new KeyChange(e.namespace(), e.key(), c.revision(), c.operation(), c.time(), c.expires(),
          c.contentType(), e.value(), e.sealed(), c.by() == null ? 0 : c.by());
    }

    /** The change that {@code event}, revision {@code revision} of the key {@code persistenceId}, makes. */
    static KeyChange of(String persistenceId, long revision, KeyEvent event) {
      String namespace = JournalRows.namespaceOf(persistenceId);
      String key = JournalRows.keyOf(persistenceId);
      if (event instanceof KeyEvent.ValuePut p) {
        return new KeyChange(namespace, key, revision, "put", p.timestamp(), p.expiresAt().instant().orElse(null),
            p.contentType(), p.value(), p.sealed(), 0);
      }
      if (event instanceof KeyEvent.ValueReverted r) {
        return new KeyChange(namespace, key, revision, "revert", r.timestamp(), r.expiresAt().instant().orElse(null),
            r.contentType(), r.value(), r.sealed(), 0);
      }
      if (event instanceof KeyEvent.CounterIncremented i) {
        return new KeyChange(namespace, key, revision, "increment", i.timestamp(), null, null, null, false, i.by());
      }
      String operation = event instanceof KeyEvent.ValueExpired ? "expire" : "delete";
      return new KeyChange(namespace, key, revision, operation, event.timestamp(), null, null, null, false, 0);
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

  private static final Row DELETED = new Row(0, null, 0, null, false, null, false);

  private final JournalDatabase db;
  private final String table;
  private final String deleteSql;
  private final String upsertSql;
  private final String readSql;

  KeyIndexRows(JournalDatabase db) {
    this.db = db;
    this.table = db.name("actorkv_key_index");
    this.deleteSql = "DELETE FROM " + table + " WHERE " + db.name("ns") + " = ? AND " + db.name("key_bytes") + " = ?";
    this.upsertSql = upsertSql(db, table);
    this.readSql = "SELECT " + db.name("revision") + ", " + db.name("content_type") + ", " + db.name("modified_at")
        + ", " + db.name("expires_at") + ", " + db.name("counter") + ", " + db.name("value_bytes") + ", "
        + db.name("sealed") + " FROM " + table + " WHERE " + db.name("ns") + " = ? AND " + db.name("key_bytes")
        + " = ?";
  }

  /** The journal's batch: the rows of the strong keys among {@code events}, in its transaction. */
  @Override
  public void written(Connection c, List<PersistentRepr> events) throws SQLException {
    List<KeyChange> changes = new ArrayList<>(events.size());
    for (PersistentRepr event : events) {
      if (event.persistenceId().startsWith(JournalRows.KEY_PREFIX) && event.payload() instanceof KeyEvent e) {
        changes.add(KeyChange.of(event.persistenceId(), event.sequenceNr(), e));
      }
    }
    apply(c, changes);
  }

  /** Brings the rows of every key that {@code changes} touch to their state after them, on {@code c}. */
  void apply(Connection c, List<KeyChange> changes) throws SQLException {
    write(c, fold(c, changes));
  }

  /** Each key's state after the changes, in order; an increment starts from the key's row if it needs to. */
  private Map<NamespaceKey, Row> fold(Connection c, List<KeyChange> changes) throws SQLException {
    Map<NamespaceKey, Row> rows = new LinkedHashMap<>();
    for (KeyChange change : changes) {
      NamespaceKey k = new NamespaceKey(change.namespace(), KeyRange.utf8(change.key()));
      switch (change.operation()) {
        case "put", "revert" -> rows.put(k, new Row(change.revision(), change.contentType(), nanos(change.time()),
            change.expires() == null ? null : nanos(change.expires()), false, change.value(), change.sealed()));
        case "delete", "expire" -> rows.put(k, DELETED);
        case "increment" -> {
          Row before = rows.containsKey(k) ? rows.get(k) : read(c, k);
          long count = before != null && before.counter() ? Long.parseLong(new String(before.value(),
              StandardCharsets.US_ASCII)) : 0;
          rows.put(k, new Row(change.revision(), StoredValue.COUNTER_CONTENT_TYPE, nanos(change.time()), null, true,
              Long.toString(count + change.by()).getBytes(StandardCharsets.US_ASCII), false));
        }
        default -> log.error("the key index leaves key {} of {} as it was: revision {} cannot be read",
            change.key(), change.namespace(), change.revision());
      }
    }
    return rows;
  }

  private Row read(Connection c, NamespaceKey k) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(readSql)) {
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
   * Deletes the rows of keys deleted or expired, and inserts or updates the
   * live ones (one statement a key, where a delete and an insert were two
   * rows' work for the database).
   */
  private void write(Connection c, Map<NamespaceKey, Row> rows) throws SQLException {
    if (rows.isEmpty()) return;
    // One order for every writer, so two transactions writing the same keys cannot deadlock.
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

  /** Times are kept as nanoseconds since the epoch, as exact as the events' own. */
  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
