package io.actorkv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * Journals written by a release, kept as fixtures so that a later change
 * which cannot read them fails the build. A fixture is every row of the
 * journal's tables as JSON lines ({@code src/test/resources/journals/}),
 * written by {@link #writeScenario} against a node of that release and
 * dumped from its database, and named after the release. To add one: start
 * the release's jar on an empty data directory, run {@code main write PORT},
 * stop the node and run {@code main dump JDBC_URL FILE} (docs/architecture.md,
 * "Events as a contract").
 */
public final class JournalFixtures {

  /** Tables in the order their rows are loaded (tags refer to journal rows). */
  private static final List<String> TABLES = List.of("event_journal", "event_tag", "snapshot");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The key written often enough for a snapshot (every 100 events by default) and some events after it. */
  public static final int SNAPSHOTTED_REVISIONS = 105;

  private JournalFixtures() {}

  /**
   * What every fixture holds: each kind of event and a snapshot, in the
   * built-in namespace and in created ones, and a namespace removed again.
   * Only the v1 HTTP API is used, so any release can write it.
   */
  public static void writeScenario(KvClient kv) {
    expect(201, kv.put("default", "plain", "hello", "Content-Type", "text/plain"));
    expect(200, kv.put("default", "plain", "hello again", "Content-Type", "text/plain", "If-Match", "\"1\""));
    expect(201, kv.put("default", "deleted", "soon gone"));
    expect(204, kv.delete("default", "deleted"));
    expect(200, kv.send("POST", "/v1/kv/default/counter/increment?by=5", null));
    expect(200, kv.send("POST", "/v1/kv/default/counter/increment?by=-2", null));
    expect(201, kv.put("default", "users/42/name \uD83D\uDE00", "unicode", "Content-Type", "text/plain; charset=UTF-8"));
    for (int i = 1; i <= SNAPSHOTTED_REVISIONS; i++) {
      expect(i == 1 ? 201 : 200, kv.put("default", "snapshotted", "v" + i));
    }
    // Expires at once; its expiry event is written by the key's timer shortly after.
    expect(201, kv.send("PUT", "/v1/kv/default/short-lived?ttl=1ms", "brief"));
    // A hundred years: the release before 0.2 stored it and then could not schedule its expiry.
    kv.send("PUT", "/v1/kv/default/long-lived?ttl=36500d", "for a century");
    expect(201, kv.putNamespace("orders", "{\"mode\":\"strong\"}"));
    expect(201, kv.put("orders", "o-1", "{\"total\":3}", "Content-Type", "application/json"));
    expect(201, kv.putNamespace("carts", "{\"mode\":\"eventual\",\"conflicts\":\"siblings\",\"ttl\":\"30d\"}"));
    expect(201, kv.putNamespace("gone", "{\"mode\":\"strong\"}"));
    expect(204, kv.send("DELETE", "/v1/namespaces/gone", null));
    Await.assertEventually(java.time.Duration.ofSeconds(10),
        () -> expect(404, kv.get("default", "short-lived")));
  }

  private static void expect(int status, java.net.http.HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
  }

  /** Writes every row of the journal's tables to {@code out}, one JSON object per line. */
  public static void dump(Connection db, Path out) throws SQLException, IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String table : TABLES) {
        String order = table.equals("event_journal") ? "ordering" : table.equals("event_tag") ? "event_id, tag"
            : "persistence_id, sequence_number";
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + quoted(db, table) + " ORDER BY " + quotedList(db, order))) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            ObjectNode row = JSON.createObjectNode().put("table", table);
            for (int c = 1; c <= meta.getColumnCount(); c++) {
              String name = meta.getColumnName(c).toLowerCase();
              Object value = rs.getObject(c);
              if (value == null) {
                row.putNull(name);
              } else if (value instanceof byte[] || value instanceof java.sql.Blob) {
                byte[] bytes = value instanceof java.sql.Blob blob ? blob.getBytes(1, (int) blob.length()) : (byte[]) value;
                row.put(name, Base64.getEncoder().encodeToString(bytes));
              } else if (value instanceof Number n) {
                row.put(name, n.longValue());
              } else if (value instanceof Boolean b) {
                row.put(name, b);
              } else {
                row.put(name, value.toString());
              }
            }
            w.write(JSON.writeValueAsString(row));
            w.newLine();
          }
        }
      }
    }
  }

  /** Loads a fixture (a resource under {@code journals/}) into a freshly migrated, empty journal. */
  public static int load(Connection db, String resource) throws SQLException, IOException {
    List<JsonNode> rows = new ArrayList<>();
    try (InputStream in = JournalFixtures.class.getResourceAsStream("/journals/" + resource)) {
      if (in == null) throw new IOException("no fixture " + resource);
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) rows.add(JSON.readTree(line));
      }
    }
    for (JsonNode row : rows) insert(db, row);
    if (db.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
      try (Statement s = db.createStatement()) {
        s.execute("SELECT setval(pg_get_serial_sequence('event_journal', 'ordering'), "
            + "(SELECT max(ordering) FROM event_journal))");
      }
    } else {
      try (Statement s = db.createStatement()) {
        s.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH "
            + "(SELECT max(\"ordering\") + 1 FROM \"event_journal\")");
      }
    }
    return rows.size();
  }

  private static void insert(Connection db, JsonNode row) throws SQLException {
    String table = row.get("table").asText();
    List<String> columns = new ArrayList<>();
    for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      // A null column is left out: it is null by default, whatever its type.
      if (!name.equals("table") && !row.get(name).isNull()) columns.add(name);
    }
    String sql = "INSERT INTO " + quoted(db, table) + " (" + quotedList(db, String.join(", ", columns)) + ") VALUES ("
        + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
    try (PreparedStatement p = db.prepareStatement(sql)) {
      for (int i = 0; i < columns.size(); i++) {
        String column = columns.get(i);
        JsonNode value = row.get(column);
        if (column.endsWith("payload")) {
          p.setBytes(i + 1, Base64.getDecoder().decode(value.asText()));
        } else if (value.isBoolean()) {
          p.setBoolean(i + 1, value.asBoolean());
        } else if (value.isNumber()) {
          p.setLong(i + 1, value.asLong());
        } else {
          p.setString(i + 1, value.asText());
        }
      }
      p.executeUpdate();
    }
  }

  /** H2's tables were created with quoted lower-case names; PostgreSQL's without quotes. */
  private static String quoted(Connection db, String name) throws SQLException {
    return db.getMetaData().getDatabaseProductName().equals("H2") ? "\"" + name + "\"" : name;
  }

  private static String quotedList(Connection db, String names) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String n : names.split(",\\s*")) out.add(quoted(db, n));
    return String.join(", ", out);
  }

  /** {@code write PORT}: the scenario against a running node; {@code dump JDBC_URL FILE}: its journal. */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "write" -> writeScenario(new KvClient(Integer.parseInt(args[1])));
      case "dump" -> {
        try (Connection db = DriverManager.getConnection(args[1], args.length > 3 ? args[3] : "sa",
            args.length > 4 ? args[4] : "")) {
          dump(db, Path.of(args[2]));
        }
      }
      default -> throw new IllegalArgumentException("write PORT | dump JDBC_URL FILE [USER PASSWORD]");
    }
  }
}
