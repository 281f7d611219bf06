package io.actorkv.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorkv.backup.BackupFormat.Column;
import io.actorkv.backup.BackupFormat.Table;
import io.actorkv.base.Meter;
import io.actorkv.journal.JournalDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads a backup into an empty database: migrates its schema, refuses it if
 * its journal holds any row, then inserts every row in one transaction that
 * commits only once the trailer's row counts and SHA-256 match what was
 * read. A truncated, altered or foreign file leaves the database without a
 * row. The journal's {@code ordering} then continues past the highest
 * restored value. Exit codes: 0 restored, 2 refused (nothing loaded).
 */
public final class Restore {

  public static final int DONE = 0;
  public static final int REFUSED = 2;

  private static final int BATCH = 500;
  /** Longest line read: a row holds one value of at most a few MiB, as base64. */
  private static final int MAX_LINE = 256 << 20;

  private final JournalDatabase database;
  private final PrintStream progress;
  private final boolean terminal;

  public Restore(JournalDatabase database, PrintStream progress, boolean terminal) {
    this.database = database;
    this.progress = progress;
    this.terminal = terminal;
  }

  /** Why a restore was refused, said to the user as it is. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** Restores {@code file}; says what it loaded on {@code report}, or why not on the progress stream. */
  public int restore(Path file, PrintStream report) {
    Meter meter = new Meter(progress, terminal, "rows", "loaded");
    try (InputStream in = Files.newInputStream(file)) {
      Lines lines = new Lines(in);
      JsonNode header = header(file, lines);
      String schema = header.path("schemaVersion").asText();
      String latest = database.latestSchemaVersion();
      if (JournalDatabase.schemaBefore(latest, schema)) {
        throw new Refused(file + " was written with schema version " + schema + ", newer than this release's "
            + latest + ": restore it with the release that wrote it, or a newer one");
      }
      refuseUnlessEmpty(null);
      database.migrate();
      Map<String, Long> counts = load(lines, meter);
      meter.done();
      report.println("restored " + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
          .collect(Collectors.joining(", ")) + " from " + file + " (" + header.path("vendor").asText() + ", schema "
          + schema + ", written " + header.path("time").asText()
          + (header.hasNonNull("namespace") ? ", namespace " + header.get("namespace").asText() + " only" : "")
          + ")");
      report.println("not included: " + BackupFormat.NOT_INCLUDED);
      return DONE;
    } catch (NoSuchFileException e) {
      progress.println("restore refused: no such file " + file);
    } catch (Refused e) {
      // The rows read so far were loaded in the one transaction, rolled back: no final count of them.
      meter.stop();
      progress.println("restore refused, nothing was loaded: " + e.getMessage());
    } catch (IOException | SQLException | RuntimeException e) {
      meter.stop();
      progress.println("restore failed, nothing was loaded: " + reason(e));
    }
    return REFUSED;
  }

  private static JsonNode header(Path file, Lines lines) throws IOException, Refused {
    byte[] first = lines.next(1 << 20);
    JsonNode header = first == null ? null : parse(first);
    if (first != null) lines.hash(first);
    if (header == null || !BackupFormat.FORMAT.equals(header.path("format").asText())) {
      throw new Refused(file + " is not an ActorKV backup (its first line is not a backup's header)");
    }
    if (header.path("version").asInt() != BackupFormat.VERSION) {
      throw new Refused(file + " is a backup of format version " + header.path("version").asText()
          + "; this release reads version " + BackupFormat.VERSION);
    }
    if (!header.path("schemaVersion").isTextual() || !header.path("vendor").isTextual()) {
      throw new Refused(file + " has a damaged header (no schema version or vendor)");
    }
    for (Table table : BackupFormat.TABLES) {
      if (!header.path("tables").has(table.name()) && BackupFormat.LATER_TABLES.contains(table.name())) continue;
      List<String> columns = new ArrayList<>();
      header.path("tables").path(table.name()).forEach(c -> columns.add(c.asText()));
      if (!columns.equals(table.columnNames())) {
        throw new Refused(file + " has a damaged header (the columns of " + table.name() + " differ)");
      }
    }
    return header;
  }

  /**
   * Refuses a database whose journal has a row. {@code c} null: before
   * migrating, on a connection of its own, where a database never migrated
   * has no tables yet.
   */
  private void refuseUnlessEmpty(Connection c) throws SQLException, Refused {
    if (c == null) {
      try (Connection own = database.connect()) {
        refuseUnlessEmpty(own, true);
      }
    } else {
      refuseUnlessEmpty(c, false);
    }
  }

  private void refuseUnlessEmpty(Connection c, boolean tablesMayBeMissing) throws SQLException, Refused {
    for (String table : BackupFormat.JOURNAL_TABLES) {
      if (tablesMayBeMissing && !tableExists(c, table)) continue;
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT 1 FROM " + database.name(table) + " LIMIT 1")) {
        if (rs.next()) {
          throw new Refused("the target database is not empty: its table " + table + " has rows. Restore "
              + "only into a database no node has written to (a new database, or a new --data-dir)");
        }
      }
    }
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        if (rs.getString("TABLE_NAME").equalsIgnoreCase(table)) return true;
      }
    }
    return false;
  }

  private Map<String, Long> load(Lines lines, Meter meter) throws SQLException, IOException, Refused {
    try (Connection c = database.connect()) {
      c.setAutoCommit(false);
      try {
        if (database.vendor().equals("postgresql")) {
          // No node may write while the journal is loaded under it.
          try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE event_journal, event_tag, snapshot, actorkv_secret, actorkv_data_key "
                + "IN ACCESS EXCLUSIVE MODE");
          }
        }
        refuseUnlessEmpty(c);
        Map<String, Long> counts = insertAll(c, lines, meter);
        rebuildKeyIndex(c);
        continueOrdering(c);
        c.commit();
        return counts;
      } catch (SQLException | IOException | Refused | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private Map<String, Long> insertAll(Connection c, Lines lines, Meter meter)
      throws SQLException, IOException, Refused {
    Map<String, Long> counts = new LinkedHashMap<>();
    BackupFormat.TABLES.forEach(t -> counts.put(t.name(), 0L));
    Map<String, PreparedStatement> inserts = new HashMap<>();
    int tableIndex = 0;
    int pending = 0;
    PreparedStatement batch = null;
    try {
      while (true) {
        byte[] bytes = lines.next(MAX_LINE);
        if (bytes == null) {
          throw new Refused("the file ends after " + lines.number + " lines without its trailer: it is truncated");
        }
        JsonNode line = parse(bytes);
        if (line == null) throw new Refused("line " + lines.number + " is not JSON: the file is damaged");
        if (line.has("end")) {
          if (batch != null && pending > 0) batch.executeBatch();
          checkTrailer(line, lines, counts);
          return counts;
        }
        lines.hash(bytes);
        Table table = BackupFormat.table(line.path("t").asText());
        JsonNode values = line.path("v");
        if (table == null || !values.isArray() || values.size() != table.columns().size()
            || BackupFormat.index(table) < tableIndex) {
          throw new Refused("line " + lines.number + " is not a row of a known table in order: the file is damaged");
        }
        if (BackupFormat.index(table) != tableIndex && batch != null && pending > 0) {
          batch.executeBatch();
          pending = 0;
        }
        tableIndex = BackupFormat.index(table);
        batch = inserts.computeIfAbsent(table.name(), name -> prepare(c, table));
        if (table.name().equals("actorkv_secret")) replace(c, "actorkv_secret", "name", values.get(0).asText());
        if (table.name().equals("actorkv_data_key")) {
          replace(c, "actorkv_data_key", "storage_name", values.get(0).asText());
        }
        bind(batch, table, values, lines.number);
        batch.addBatch();
        counts.merge(table.name(), 1L, Long::sum);
        meter.tick();
        if (++pending == BATCH) {
          batch.executeBatch();
          pending = 0;
        }
      }
    } finally {
      for (PreparedStatement s : inserts.values()) s.close();
    }
  }

  private void checkTrailer(JsonNode trailer, Lines lines, Map<String, Long> counts) throws IOException, Refused {
    String actual = HexFormat.of().formatHex(lines.sha256());
    if (!actual.equals(trailer.path("sha256").asText())) {
      throw new Refused("the file's SHA-256 is " + actual + ", its trailer says " + trailer.path("sha256").asText()
          + ": the file was changed or damaged");
    }
    for (Map.Entry<String, Long> count : counts.entrySet()) {
      long said = trailer.path("rows").path(count.getKey()).asLong(-1);
      if (said != count.getValue()) {
        throw new Refused("the trailer counts " + said + " rows of " + count.getKey() + ", the file has "
            + count.getValue() + ": the file is damaged");
      }
    }
    if (!lines.atEnd()) {
      throw new Refused("the file goes on after its trailer: it is damaged or two files joined");
    }
  }

  private PreparedStatement prepare(Connection c, Table table) {
    String sql = "INSERT INTO " + database.name(table.name()) + " ("
        + table.columnNames().stream().map(database::name).collect(Collectors.joining(", ")) + ") VALUES ("
        + table.columns().stream().map(col -> "?").collect(Collectors.joining(", ")) + ")";
    try {
      return c.prepareStatement(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare " + sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * The backup's secret or data key of this name wins over one a node made
   * here before any key was written.
   */
  private void replace(Connection c, String table, String nameColumn, String name) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + database.name(table)
        + " WHERE " + database.name(nameColumn) + " = ?")) {
      delete.setString(1, name);
      delete.executeUpdate();
    }
  }

  private static void bind(PreparedStatement insert, Table table, JsonNode values, long lineNumber)
      throws SQLException, Refused {
    for (int i = 0; i < table.columns().size(); i++) {
      Column column = table.columns().get(i);
      JsonNode v = values.get(i);
      int p = i + 1;
      boolean ok = switch (column.type()) {
        case LONG -> v.isNull() ? set(insert, p, Types.BIGINT) : v.canConvertToLong() && v.isIntegralNumber()
            && run(() -> insert.setLong(p, v.asLong()));
        case INT -> v.isNull() ? set(insert, p, Types.INTEGER) : v.canConvertToInt() && v.isIntegralNumber()
            && run(() -> insert.setInt(p, v.asInt()));
        case BOOL -> v.isNull() ? set(insert, p, Types.BOOLEAN) : v.isBoolean()
            && run(() -> insert.setBoolean(p, v.asBoolean()));
        case TEXT -> v.isNull() ? set(insert, p, Types.VARCHAR) : v.isTextual()
            && run(() -> insert.setString(p, v.asText()));
        case BYTES -> v.isNull() ? set(insert, p, Types.BINARY) : v.isTextual()
            && run(() -> insert.setBytes(p, Base64.getDecoder().decode(v.asText())));
      };
      if (!ok) {
        throw new Refused("line " + lineNumber + ": " + table.name() + "." + column.name() + " is not a "
            + column.type().name().toLowerCase() + ": the file is damaged");
      }
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static boolean run(SqlAction action) throws SQLException {
    try {
      action.run();
      return true;
    } catch (IllegalArgumentException badBase64) {
      return false;
    }
  }

  private static boolean set(PreparedStatement insert, int p, int sqlType) throws SQLException {
    insert.setNull(p, sqlType);
    return true;
  }

  /**
   * The key index holds no row of the restored keys yet: from offset 0,
   * the next node to start builds it from the journal.
   */
  private void rebuildKeyIndex(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM " + database.name("actorkv_key_index"));
      s.executeUpdate("UPDATE " + database.name("actorkv_key_index_offset") + " SET "
          + database.name("applied_through") + " = 0");
    }
  }

  /**
   * New events must get an {@code ordering} past every restored one, or they
   * would collide with them. H2 commits the transaction before this DDL, so
   * it runs last, after every check has passed.
   */
  private void continueOrdering(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (database.vendor().equals("postgresql")) {
        s.execute("SELECT setval(pg_get_serial_sequence('event_journal', 'ordering'), "
            + "COALESCE((SELECT max(ordering) FROM event_journal), 0) + 1, false)");
      } else {
        long next;
        try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(\"ordering\"), 0) + 1 FROM \"event_journal\"")) {
          rs.next();
          next = rs.getLong(1);
        }
        s.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH " + next);
      }
    }
  }

  private static JsonNode parse(byte[] line) {
    try {
      JsonNode node = BackupFormat.JSON.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The file's lines as bytes, hashed as the caller accepts them, so the
   * SHA-256 covers exactly the bytes written; a last line without its line
   * break is not a line (a file cut short).
   */
  private static final class Lines {
    private final InputStream in;
    private final MessageDigest digest = Backup.sha256();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(1 << 12);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    long number;

    Lines(InputStream in) {
      this.in = in;
    }

    /** The next line, without its line break; null at the end of the file. */
    byte[] next(int maxLength) throws IOException, Refused {
      line.reset();
      while (true) {
        if (position == limit && !fill()) return null;
        int start = position;
        while (position < limit && buffer[position] != '\n') position++;
        if (line.size() + (position - start) > maxLength) {
          throw new Refused("line " + (number + 1) + " is longer than any backup writes");
        }
        line.write(buffer, start, position - start);
        if (position < limit) {
          position++;
          number++;
          return line.toByteArray();
        }
      }
    }

    private boolean fill() throws IOException {
      int read = in.read(buffer);
      position = 0;
      limit = Math.max(read, 0);
      return read > 0;
    }

    /** Adds a line read (and its line break) to the checksum. */
    void hash(byte[] bytes) {
      digest.update(bytes);
      digest.update((byte) '\n');
    }

    /** The SHA-256 of every line hashed. */
    byte[] sha256() {
      return digest.digest();
    }

    boolean atEnd() throws IOException {
      return position == limit && !fill();
    }
  }

  /**
   * Why the database refused the load, in a few lines: a refused batch's own
   * message quotes its whole statement, values and all; the database's
   * reason is the next exception's.
   */
  private static String reason(Exception e) {
    Throwable shown = e instanceof SQLException sql && sql.getNextException() != null ? sql.getNextException() : e;
    String message = String.valueOf(shown.getMessage());
    return message.length() > 500 ? message.substring(0, 500) + " ..." : message;
  }
}
