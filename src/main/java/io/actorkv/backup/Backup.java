package io.actorkv.backup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.actorkv.backup.BackupFormat.Column;
import io.actorkv.backup.BackupFormat.Scope;
import io.actorkv.backup.BackupFormat.Table;
import io.actorkv.base.Meter;
import io.actorkv.base.FileFailures;
import io.actorkv.base.OutputFile;
import io.actorkv.journal.JournalDatabase;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Writes a backup ({@link BackupFormat}) of the journal's database: every
 * table read in one REPEATABLE READ transaction, so the file is one
 * consistent snapshot even while nodes write, streamed row by row to
 * {@code FILE.partial} (owner-only: it holds every value and the cluster's
 * secrets), flushed to disk and renamed to {@code FILE} only when complete
 * ({@link OutputFile}). Exit codes: 0 written, 2 not (nothing is left at {@code FILE}).
 */
public final class Backup {

  public static final int DONE = 0;
  public static final int FAILED = 2;

  private static final int FETCH = 2_000;

  private final JournalDatabase database;
  private final Optional<String> namespace;
  private final PrintStream progress;
  private final boolean terminal;
  /** Told each table's name once it is copied; tests write between tables here. */
  private Consumer<String> afterTable = table -> {};

  /** @param namespace only this namespace's keys (every incarnation), the registry and the secrets */
  public Backup(JournalDatabase database, Optional<String> namespace, PrintStream progress, boolean terminal) {
    this.database = database;
    this.namespace = namespace;
    this.progress = progress;
    this.terminal = terminal;
  }

  /** For tests: {@code hook} runs after each table is copied, inside the backup's transaction. */
  Backup afterEachTable(Consumer<String> hook) {
    this.afterTable = hook;
    return this;
  }

  /** Writes the backup to {@code out}; says what it wrote on {@code report}, or why not on the progress stream. */
  public int write(Path out, PrintStream report) {
    Meter meter = new Meter(progress, terminal, "rows", "written");
    Map<String, Long> rows;
    String sha256;
    String schema;
    try (OutputFile file = OutputFile.create(out)) {
      schema = database.schemaVersion().orElseThrow(() -> new IOException(
          "the database has no ActorKV schema: no node has ever started on it"));
      try (Connection c = database.connect()) {
        MessageDigest digest = sha256();
        DigestOutputStream hashed = new DigestOutputStream(new BufferedOutputStream(file.stream(), 1 << 16), digest);
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
          line(hashed, header(schema));
          rows = new LinkedHashMap<>();
          for (Table table : BackupFormat.TABLES) {
            rows.put(table.name(), copy(c, table, hashed, meter));
            afterTable.accept(table.name());
          }
        } finally {
          c.rollback();
        }
        hashed.flush();
        hashed.on(false);
        sha256 = HexFormat.of().formatHex(digest.digest());
        ObjectNode trailer = BackupFormat.JSON.createObjectNode().put("end", BackupFormat.FORMAT);
        rows.forEach(trailer.putObject("rows")::put);
        trailer.put("sha256", sha256);
        line(hashed, trailer);
        hashed.flush();
      }
      file.commit();
    } catch (FileAlreadyExistsException e) {
      progress.println(e.getMessage());
      return FAILED;
    } catch (IOException | SQLException | RuntimeException e) {
      if (meter.count() > 0) meter.done();
      progress.println("backup failed: " + (e instanceof IOException io ? FileFailures.describe(io) : e.getMessage()));
      return FAILED;
    }
    meter.done();
    report.println("backed up " + rows.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", ")) + " (schema " + schema + ", " + database.vendor()
        + namespace.map(ns -> ", namespace " + ns + " and the namespace registry").orElse("") + ") to " + out
        + "; sha256 " + sha256);
    report.println("not included: " + BackupFormat.NOT_INCLUDED);
    return DONE;
  }

  private ObjectNode header(String schema) {
    ObjectNode h = BackupFormat.JSON.createObjectNode()
        .put("format", BackupFormat.FORMAT)
        .put("version", BackupFormat.VERSION)
        .put("schemaVersion", schema)
        .put("vendor", database.vendor())
        .put("time", Instant.now().toString());
    if (namespace.isPresent()) {
      h.put("namespace", namespace.get());
      h.put("scope", "keys of namespace " + namespace.get() + " (every incarnation), the namespace registry "
          + "(all namespaces' definitions) and the cluster's secrets");
    } else {
      h.put("scope", "everything in the journal's database");
    }
    h.put("notIncluded", BackupFormat.NOT_INCLUDED);
    ObjectNode tables = h.putObject("tables");
    for (Table t : BackupFormat.TABLES) t.columnNames().forEach(tables.putArray(t.name())::add);
    return h;
  }

  private long copy(Connection c, Table table, OutputStream out, Meter meter) throws SQLException, IOException {
    List<String> parameters = new ArrayList<>();
    String sql = "SELECT " + table.columnNames().stream().map(database::name).collect(Collectors.joining(", "))
        + " FROM " + database.name(table.name()) + where(table, parameters) + " ORDER BY "
        + List.of(table.orderBy().split(", ")).stream().map(database::name).collect(Collectors.joining(", "));
    long count = 0;
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setFetchSize(FETCH);
      for (int i = 0; i < parameters.size(); i++) select.setString(i + 1, parameters.get(i));
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          ObjectNode row = BackupFormat.JSON.createObjectNode().put("t", table.name());
          ArrayNode values = row.putArray("v");
          int i = 1;
          for (Column column : table.columns()) add(values, rs, i++, column);
          line(out, row);
          count++;
          meter.tick();
        }
      }
    }
    return count;
  }

  /** The rows of one namespace's keys and of the registry; every row without a namespace. */
  private String where(Table table, List<String> parameters) {
    if (namespace.isEmpty() || table.scope() == Scope.ALL) return "";
    String pid = database.name("persistence_id");
    List<String> patterns = BackupFormat.persistenceIdPatterns(namespace.get());
    parameters.addAll(patterns);
    parameters.add(BackupFormat.REGISTRY_PERSISTENCE_ID);
    String ofNamespace = "(" + pid + " LIKE ? ESCAPE '!' OR " + pid + " LIKE ? ESCAPE '!' OR " + pid + " = ?)";
    if (table.scope() == Scope.BY_PERSISTENCE_ID) return " WHERE " + ofNamespace;
    return " WHERE " + database.name("event_id") + " IN (SELECT " + database.name("ordering") + " FROM "
        + database.name("event_journal") + " WHERE " + ofNamespace + ")";
  }

  private static void add(ArrayNode values, ResultSet rs, int i, Column column) throws SQLException {
    switch (column.type()) {
      case LONG -> {
        long v = rs.getLong(i);
        if (rs.wasNull()) values.addNull(); else values.add(v);
      }
      case INT -> {
        int v = rs.getInt(i);
        if (rs.wasNull()) values.addNull(); else values.add(v);
      }
      case BOOL -> {
        boolean v = rs.getBoolean(i);
        if (rs.wasNull()) values.addNull(); else values.add(v);
      }
      case TEXT -> values.add(rs.getString(i));
      case BYTES -> {
        byte[] v = rs.getBytes(i);
        if (v == null) values.addNull(); else values.add(Base64.getEncoder().encodeToString(v));
      }
    }
  }

  private static void line(OutputStream out, ObjectNode json) throws IOException {
    out.write(BackupFormat.JSON.writeValueAsBytes(json));
    out.write('\n');
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
