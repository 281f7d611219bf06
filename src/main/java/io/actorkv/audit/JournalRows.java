package io.actorkv.audit;

import io.actorkv.journal.JournalDatabase;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.KeyJournalSerializer;
import java.io.NotSerializableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Strong keys' events read straight from the journal's table, with no
 * cluster running: one query, streamed (the database sends rows in batches),
 * in key order for verifying chains or in journal order for reports. Only
 * rows of strong keys ({@code kv|...}) are read.
 */
final class JournalRows implements AutoCloseable {

  /**
   * One row: the key (persistence id), its revision, the journal's order,
   * the event or why not, and whether it is the marker Pekko leaves when it
   * deletes a key's older events (retention): the newest deleted event.
   */
  record Row(String persistenceId, long revision, long ordering, KeyEvent event, String unreadable, boolean deleted) {
    String namespace() {
      return namespaceOf(persistenceId);
    }

    String key() {
      return keyOf(persistenceId);
    }
  }

  /** The start of every strong key's persistence id: {@code kv|<namespace as stored>|<key>}. */
  static final String KEY_PREFIX = "kv|";

  /** The namespace as stored (with its incarnation) of the strong key {@code persistenceId}. */
  static String namespaceOf(String persistenceId) {
    return persistenceId.substring(KEY_PREFIX.length(), persistenceId.indexOf('|', KEY_PREFIX.length()));
  }

  static String keyOf(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf('|', KEY_PREFIX.length()) + 1);
  }

  /** How rows come: grouped by key, revisions in order; or in the order the journal stored them. */
  enum Order { BY_KEY, BY_JOURNAL }

  interface RowHandler {
    void row(Row row) throws Exception;
  }

  private static final int FETCH = 5_000;

  private final JournalDatabase database;
  private final Connection connection;

  JournalRows(JournalDatabase database) throws SQLException {
    this.database = database;
    this.connection = database.connect();
    // PostgreSQL streams a result with a fetch size only inside a transaction.
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
  }

  /**
   * Every event of strong keys, of {@code namespace} (every incarnation of
   * it) if given, to {@code handler}, in {@code order}; answers how many.
   */
  long read(Optional<String> namespace, Order order, RowHandler handler) throws Exception {
    String pid = database.name("persistence_id");
    String seq = database.name("sequence_number");
    String ordering = database.name("ordering");
    String sql = "SELECT " + pid + ", " + seq + ", " + ordering + ", " + database.name("event_ser_id") + ", "
        + database.name("event_ser_manifest") + ", " + database.name("event_payload") + ", "
        + database.name("deleted") + " FROM " + database.name("event_journal") + " WHERE " + pid + " LIKE ? ESCAPE '!'"
        + (namespace.isPresent() ? " AND (" + pid + " LIKE ? ESCAPE '!' OR " + pid + " LIKE ? ESCAPE '!')" : "")
        + " ORDER BY " + (order == Order.BY_KEY ? pid + ", " + seq : ordering);
    long rows = 0;
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setFetchSize(FETCH);
      select.setString(1, "kv|%");
      if (namespace.isPresent()) {
        String name = likeLiteral(namespace.get());
        select.setString(2, "kv|" + name + "|%");
        select.setString(3, "kv|" + name + "~%");
      }
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          KeyEvent event = null;
          String unreadable = null;
          try {
            event = KeyJournalSerializer.decode(rs.getInt(4), rs.getString(5), rs.getBytes(6));
          } catch (NotSerializableException | RuntimeException e) {
            unreadable = e.getMessage();
          }
          handler.row(new Row(id, rs.getLong(2), rs.getLong(3), event, unreadable, rs.getBoolean(7)));
          rows++;
        }
      }
    }
    return rows;
  }

  /** Whether the key {@code persistenceId} is in the namespace {@code name}, in any incarnation. */
  static boolean inNamespace(String persistenceId, String name) {
    return persistenceId.startsWith("kv|" + name + "|") || persistenceId.startsWith("kv|" + name + "~");
  }

  /** A namespace name as a LIKE pattern's literal part: '_' is a wildcard there. */
  static String likeLiteral(String name) {
    return name.replace("!", "!!").replace("_", "!_").replace("%", "!%");
  }

  @Override
  public void close() throws SQLException {
    connection.rollback();
    connection.close();
  }
}
