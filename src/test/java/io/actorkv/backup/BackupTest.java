package io.actorkv.backup;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HexFormat;
import java.security.MessageDigest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.audit.Audit;
import io.actorkv.cli.Main;
import io.actorkv.config.ActorKvSettings.Journal;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code actorkv backup} and {@code restore} through the command line, on
 * real embedded PostgreSQL and H2 journals: a node restored from a backup
 * answers every strong key as the original did (status, revision, value,
 * expiry, history), lists the same namespaces and goes on writing at the
 * next revision; a database that holds a journal is never restored onto; a
 * truncated, altered, foreign or missing file is refused and loads nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupTest {

  /** Snapshots every 3 changes, so the backup holds snapshots as well as events. */
  private static final Config SNAPSHOT_OFTEN = ConfigFactory.parseString("actorkv.snapshot-every = 3");
  private static final List<String> KEYS = List.of("default/doc", "default/gone", "default/visits",
      "default/session", "default/expired", "default/users%2F42%2Fname%20%F0%9F%98%80", "orders/o-1", "orders/o-2",
      "default/never-written");

  @TempDir
  Path dir;

  private String sourceUrl;
  private Map<String, String> original;
  private JsonNode originalNamespaces;
  private Path full;

  /** Given a node on PostgreSQL that wrote every kind of change, stopped, and a backup of its journal. */
  @BeforeAll
  void writeAndBackUp(@TempDir Path source) throws Exception {
    sourceUrl = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Node node = TestNodes.start(TestNodes.settings(source.resolve("node"), sourceUrl, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(node.httpPort());
      writeScenario(kv);
      original = answers(kv);
      assertTrue(original.get("default/doc").matches("200 ETag=\"8\" .* body=v8 history=200 .*"), original.toString());
      assertTrue(original.get("default/visits").contains("body=3 "), original.toString());
      assertFalse(original.get("default/session").contains("X-KV-Expires=- "), original.toString());
      assertTrue(original.get("default/expired").matches("404 .* history=200 .*\"expire\".*"), original.toString());
      assertTrue(original.get("default/never-written").endsWith("history=404 -"), original.toString());
      originalNamespaces = json(kv.send("GET", "/v1/namespaces", null));
      assertEquals(200, kv.get("carts", "alice").statusCode());
    } finally {
      node.close();
    }
    full = source.resolve("full.actorkv-backup");
    Outcome written = cli("backup", "--db-url", sourceUrl, "--db-user", "postgres", "--db-password", "postgres",
        "--out", full.toString());
    assertEquals(0, written.code(), written.toString());
    assertTrue(written.out().contains("not included: values of eventual namespaces"), written.toString());
    assertFalse(Files.exists(source.resolve("full.actorkv-backup.partial")));
    // It holds every value and the cluster's secrets: its owner's alone, as a token's secret file is.
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(full)));
  }

  @Test
  void aRestoredDatabaseAnswersAsTheOriginalAndGoesOnAtTheNextRevision() throws Exception {
    String target = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Outcome restored = restore(target, full);
    assertEquals(0, restored.code(), restored.toString());
    long rows = journalRows(target);
    assertTrue(rows > 20, "rows restored: " + rows);
    assertTrue(count(target, "snapshot") > 0, "the backup carried snapshots");

    Node node = TestNodes.start(TestNodes.settings(dir.resolve("restored"), target, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(original, answers(kv));
      assertEquals(originalNamespaces, json(kv.send("GET", "/v1/namespaces", null)));
      // Eventual values live in the nodes' LMDB, not in the journal: the backup says so and has none.
      assertEquals(404, kv.get("carts", "alice").statusCode());

      long maxRestored = max(target, "ordering");
      HttpResponse<String> next = kv.put("default", "doc", "after the restore");
      assertEquals(200, next.statusCode(), next.body());
      assertEquals(revision(original.get("default/doc")) + 1, KvClient.revision(next));
      assertEquals(201, kv.put("default", "new-key", "fresh").statusCode());
      assertTrue(max(target, "ordering") > maxRestored, "new events are ordered after the restored ones");
    } finally {
      node.close();
    }

    long before = journalRows(target);
    Outcome again = restore(target, full);
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("not empty"), again.toString());
    assertEquals(before, journalRows(target), "a refused restore changes nothing");
  }

  @Test
  void aTruncatedAlteredForeignOrMissingFileIsRefusedAndLoadsNothing() throws Exception {
    byte[] bytes = Files.readAllBytes(full);
    String text = new String(bytes, StandardCharsets.UTF_8);
    Path halfway = write("halfway", java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path noTrailer = write("no-trailer", text.substring(0, text.lastIndexOf('\n', text.length() - 2) + 1)
        .getBytes(StandardCharsets.UTF_8));
    int at = text.indexOf("kv|default|doc");
    Path altered = write("altered", (text.substring(0, at) + "kv|default|dod" + text.substring(at + 14))
        .getBytes(StandardCharsets.UTF_8));
    Path foreign = Path.of("README.md").toAbsolutePath();
    Path newer = write("newer", text.replaceFirst("\"schemaVersion\":\"[0-9.]+\"", "\"schemaVersion\":\"99\"")
        .getBytes(StandardCharsets.UTF_8));
    Path missing = dir.resolve("no-such-backup");

    String target = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    for (Path file : List.of(halfway, noTrailer, altered, foreign, newer, missing)) {
      Outcome refused = restore(target, file);
      assertEquals(2, refused.code(), file + ": " + refused);
      assertFalse(refused.err().isBlank(), file + " is refused with a message");
      assertEquals(0, journalRows(target), file + " loaded nothing");
    }
    Outcome truncated = restore(target, noTrailer);
    assertTrue(truncated.err().contains("restore refused, nothing was loaded: ") && truncated.err().contains("truncated"),
        truncated.toString());
    assertFalse(truncated.err().contains("rows loaded in"), "no final count of rows rolled back: " + truncated);
    assertTrue(restore(target, altered).err().contains("SHA-256"));
    assertTrue(restore(target, foreign).err().contains("not an ActorKV backup"));
    assertTrue(restore(target, missing).err().contains("no such file"));
    Path neverMade = dir.resolve("never-made");
    assertEquals(2, cli("restore", "--data-dir", neverMade.toString(), missing.toString()).code());
    assertFalse(Files.exists(neverMade), "a refused restore made a data directory");
    assertTrue(restore(target, newer).err().contains("newer than this release's"));
    assertEquals(0, restore(target, full).code(), "the database the refusals left is still a fine target");
  }

  @Test
  void aBackupOfOneNamespaceHoldsItsKeysAndTheRegistry() throws Exception {
    Path orders = dir.resolve("orders.actorkv-backup");
    Outcome written = cli("backup", "--db-url", sourceUrl, "--db-user", "postgres", "--db-password", "postgres",
        "--namespace", "orders", "--out", orders.toString());
    assertEquals(0, written.code(), written.toString());
    JsonNode header = new ObjectMapper().readTree(Files.readAllLines(orders).get(0));
    assertEquals("orders", header.get("namespace").asText());

    String target = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    assertEquals(0, restore(target, orders).code());
    Node node = TestNodes.start(TestNodes.settings(dir.resolve("orders"), target, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(node.httpPort());
      Map<String, String> answers = answers(kv);
      for (String key : KEYS) {
        if (key.startsWith("orders/")) assertEquals(original.get(key), answers.get(key), key);
        else assertTrue(answers.get(key).startsWith("404"), key + ": " + answers.get(key));
      }
      assertEquals(originalNamespaces, json(kv.send("GET", "/v1/namespaces", null)));
    } finally {
      node.close();
    }
  }

  /** One node on embedded H2 restored into PostgreSQL: how a single node becomes a cluster. */
  @Test
  void anEmbeddedH2JournalRestoresIntoPostgreSql() throws Exception {
    Path h2 = dir.resolve("h2-node");
    Node node = TestNodes.start(TestNodes.settings(h2, null, List.of()), SNAPSHOT_OFTEN);
    Map<String, String> before;
    JsonNode namespaces;
    try {
      KvClient kv = new KvClient(node.httpPort());
      writeScenario(kv);
      before = answers(kv);
      namespaces = json(kv.send("GET", "/v1/namespaces", null));
    } finally {
      node.close();
    }
    Path file = dir.resolve("h2.actorkv-backup");
    Outcome written = cli("backup", "--data-dir", h2.toString(), "--out", file.toString());
    assertEquals(0, written.code(), written.toString());
    assertTrue(Files.readAllLines(file).get(0).contains("\"vendor\":\"h2\""));

    // The target had a node start on it and write nothing: it made its own secret, which the backup's replaces.
    String target = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    TestNodes.start(TestNodes.settings(dir.resolve("pg-node"), target, List.of()), SNAPSHOT_OFTEN).close();
    String secret = "eventual-contexts";
    assertFalse(java.util.Arrays.equals(JournalDatabase.open("", "", "", h2, Journal.H2).secret(secret),
        database(target).secret(secret)));
    Outcome loaded = restore(target, file);
    assertEquals(0, loaded.code(), loaded.toString());
    assertArrayEquals(JournalDatabase.open("", "", "", h2, Journal.H2).secret(secret), database(target).secret(secret));
    Node restored = TestNodes.start(TestNodes.settings(dir.resolve("pg-node"), target, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(restored.httpPort());
      assertEquals(before, answers(kv));
      assertEquals(namespaces, json(kv.send("GET", "/v1/namespaces", null)));
      assertEquals(revision(before.get("default/doc")) + 1, KvClient.revision(kv.put("default", "doc", "next")));
    } finally {
      restored.close();
    }
  }

  /** An encrypted journal's backup holds ciphertext and the wrapped data keys: restored, the master key reads it. */
  @Test
  void anEncryptedJournalsBackupHoldsNoValueAndRestoresWithItsMasterKey() throws Exception {
    Path h2 = dir.resolve("encrypted-node");
    Path master = dir.resolve("master.key");
    io.actorkv.security.Tokens.newSecret(master);
    Map<io.actorkv.config.NodeConfig.Setting, Object> settings = TestNodes.settings(h2, null, List.of());
    settings.put(io.actorkv.config.NodeConfig.Setting.MASTER_KEY_FILE, master.toString());
    Node node = TestNodes.start(settings, SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(node.httpPort());
      for (int i = 1; i <= 4; i++) expect(i == 1 ? 201 : 200, kv.put("default", "secret", "sealed-value-" + i));
    } finally {
      node.close();
    }
    Path file = dir.resolve("encrypted.actorkv-backup");
    Outcome written = cli("backup", "--data-dir", h2.toString(), "--out", file.toString());
    assertEquals(0, written.code(), written.toString());
    assertEquals(List.of(), decodedLinesWith(file, "sealed-value"), "no value in the clear in any row");
    assertEquals(1, decodedLinesWith(file, "").stream().filter(l -> l.contains("actorkv_data_key")).count(),
        "the backup carries the wrapped data key");

    String target = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Outcome loaded = restore(target, file);
    assertEquals(0, loaded.code(), loaded.toString());
    Map<io.actorkv.config.NodeConfig.Setting, Object> restoredSettings =
        TestNodes.settings(dir.resolve("encrypted-pg"), target, List.of());
    restoredSettings.put(io.actorkv.config.NodeConfig.Setting.MASTER_KEY_FILE, master.toString());
    Node restored = TestNodes.start(restoredSettings, SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(restored.httpPort());
      assertEquals("sealed-value-4", kv.get("default", "secret").body());
      assertEquals("sealed-value-1", kv.send("GET", "/v1/kv/default/secret?revision=1", null).body());
    } finally {
      restored.close();
    }
  }

  /** Rows committed after the backup's first read, between its tables, are not in it: it is one snapshot. */
  @Test
  void rowsCommittedWhileTheBackupRunsAreNotInIt() throws Exception {
    JournalDatabase source = database(sourceUrl);
    Path file = dir.resolve("during.actorkv-backup");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Backup backup = new Backup(source, Optional.empty(), new PrintStream(err, true, StandardCharsets.UTF_8), false)
        .afterEachTable(table -> {
          if (!table.equals("event_journal")) return;
          try (Connection c = source.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, "
                + "adapter_manifest, event_ser_id, event_ser_manifest, event_payload) "
                + "VALUES ('kv|default|late', 1, 'test', 0, '', 1, 'kv.put', '\\x00')");
            s.execute("INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id, "
                + "snapshot_ser_manifest, snapshot_payload) VALUES ('kv|default|late', 1, 0, 1, 's', '\\x00')");
            s.execute("INSERT INTO actorkv_secret (name, secret) VALUES ('late', '\\x00')");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
    try {
      assertEquals(Backup.DONE, backup.write(file, new PrintStream(new ByteArrayOutputStream())),
          err.toString(StandardCharsets.UTF_8));
      assertTrue(count(sourceUrl, "snapshot") > 0);
      String written = Files.readString(file);
      assertFalse(written.contains("kv|default|late"), "events and snapshots committed after the backup began");
      assertFalse(written.contains("[\"late\""), "a secret stored after the backup began");
    } finally {
      try (Connection c = source.connect(); Statement s = c.createStatement()) {
        s.execute("DELETE FROM snapshot WHERE persistence_id = 'kv|default|late'");
        s.execute("DELETE FROM event_journal WHERE persistence_id = 'kv|default|late'");
        s.execute("DELETE FROM actorkv_secret WHERE name = 'late'");
      }
    }
  }

  /**
   * A data directory a node started on but never wrote to restores, and the
   * key index, which that node marked written by the journal, is built
   * from the restored journal when the next node starts.
   */
  @Test
  void aDataDirectoryOfANodeThatWroteNothingRestoresWithItsKeysListed() throws Exception {
    Path bare = dir.resolve("bare");
    TestNodes.start(TestNodes.settings(bare, null, List.of()), SNAPSHOT_OFTEN).close();
    Outcome restored = cli("restore", "--journal", "h2", "--data-dir", bare.toString(), full.toString());
    assertEquals(0, restored.code(), restored.toString());

    Node node = TestNodes.start(TestNodes.settings(bare, null, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(node.httpPort());
      HttpResponse<String> listing = kv.send("GET", "/v1/kv/default", null);
      assertEquals(200, listing.statusCode(), listing.body());
      List<String> keys = new ArrayList<>();
      json(listing).get("keys").forEach(k -> keys.add(k.get("key").asText()));
      assertEquals(List.of("doc", "session", "users/42/name \uD83D\uDE00", "visits"), keys);
    } finally {
      node.close();
    }
  }

  /**
   * A backup taken while a node writes is one snapshot: no key's snapshot is
   * ahead of its events, every chain is whole, and PostgreSQL restores into H2.
   */
  @Test
  void aBackupTakenWhileANodeWritesIsOneSnapshotAndRestoresIntoH2() throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Node node = TestNodes.start(TestNodes.settings(dir.resolve("busy"), url, List.of()), SNAPSHOT_OFTEN);
    Path file = dir.resolve("busy.actorkv-backup");
    AtomicLong written = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long duringBackup;
    try {
      KvClient kv = new KvClient(node.httpPort());
      Thread writer = new Thread(() -> {
        for (long i = 0; !stop.get(); i++) {
          expect(i < 10 ? 201 : 200, kv.put("default", "busy-" + (i % 10), "v" + i));
          written.incrementAndGet();
        }
      });
      writer.start();
      Await.until(Duration.ofSeconds(60), () -> written.get() >= 500 || !writer.isAlive());
      long before = written.get();
      Outcome backup = cli("backup", "--db-url", url, "--db-user", "postgres", "--db-password", "postgres",
          "--out", file.toString());
      duringBackup = written.get() - before;
      stop.set(true);
      writer.join();
      assertEquals(0, backup.code(), backup.toString());
    } finally {
      node.close();
    }
    assertTrue(duringBackup > 0, "the node wrote while the backup ran");

    Path h2 = dir.resolve("h2-restored");
    Outcome restored = cli("restore", "--journal", "h2", "--data-dir", h2.toString(), file.toString());
    assertEquals(0, restored.code(), restored.toString());
    JournalDatabase database = JournalDatabase.open("", "", "", h2, Journal.H2);
    Map<String, Long> heads = new TreeMap<>();
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"snapshot\" s WHERE s.\"sequence_number\" > "
          + "COALESCE((SELECT max(e.\"sequence_number\") FROM \"event_journal\" e "
          + "WHERE e.\"persistence_id\" = s.\"persistence_id\"), 0)")) {
        rs.next();
        assertEquals(0, rs.getLong(1), "no snapshot is ahead of its key's events");
      }
      try (ResultSet rs = s.executeQuery("SELECT \"persistence_id\", max(\"sequence_number\") FROM "
          + "\"event_journal\" WHERE \"persistence_id\" LIKE 'kv|default|busy-%' GROUP BY \"persistence_id\"")) {
        while (rs.next()) heads.put(rs.getString(1).substring("kv|default|".length()), rs.getLong(2));
      }
    }
    assertEquals(10, heads.size(), heads.toString());
    ByteArrayOutputStream audit = new ByteArrayOutputStream();
    PrintStream auditOut = new PrintStream(audit, true, StandardCharsets.UTF_8);
    assertEquals(Audit.INTACT, new Audit(database, Optional.empty(), auditOut, false).verify(Optional.empty(),
        auditOut), audit.toString(StandardCharsets.UTF_8));

    Node onH2 = TestNodes.start(TestNodes.settings(h2, null, List.of()), SNAPSHOT_OFTEN);
    try {
      KvClient kv = new KvClient(onH2.httpPort());
      heads.forEach((key, head) -> {
        HttpResponse<String> read = kv.get("default", key);
        assertEquals(200, read.statusCode(), key);
        assertEquals(head, KvClient.revision(read), key);
      });
      heads.forEach((key, head) -> assertEquals(head + 1, KvClient.revision(kv.put("default", key, "next"))));
      // The key index, built from the restored journal at start, then written with each new event.
      HttpResponse<String> listing = kv.send("GET", "/v1/kv/default?prefix=busy-", null);
      assertEquals(200, listing.statusCode(), listing.body());
      Map<String, Long> listed = new TreeMap<>();
      KvClient.json(listing).get("keys").forEach(k -> listed.put(k.get("key").asText(), k.get("revision").asLong()));
      Map<String, Long> next = new TreeMap<>();
      heads.forEach((key, head) -> next.put(key, head + 1));
      assertEquals(next, listed);
    } finally {
      onH2.close();
    }
  }

  /**
   * A row the database refuses (here a duplicate, in a file whose hash and
   * counts are right) is named by the database's reason, not by the
   * refused batch's statement: that quoted every value, 4 KB and more.
   */
  @Test
  void aRowTheDatabaseRefusesIsNamedWithoutItsStatement() throws Exception {
    List<String> lines = Files.readAllLines(full);
    List<String> body = new ArrayList<>(lines.subList(0, lines.size() - 1));
    int row = 0;
    while (!body.get(row).startsWith("{\"t\":\"event_journal\"")) row++;
    body.add(row + 1, body.get(row));
    ObjectNode trailer = (ObjectNode) new ObjectMapper().readTree(lines.get(lines.size() - 1));
    ObjectNode rows = (ObjectNode) trailer.get("rows");
    rows.put("event_journal", rows.get("event_journal").asLong() + 1);
    trailer.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest((String.join("\n", body) + "\n").getBytes(StandardCharsets.UTF_8))));
    body.add(trailer.toString());
    Path twice = Files.write(dir.resolve("row-twice.actorkv-backup"), body);

    Outcome refused = restore(TestPostgres.jdbcUrl(TestPostgres.newDatabase()), twice);
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("restore failed, nothing was loaded: ERROR: duplicate key value"),
        refused.toString());
    assertFalse(refused.err().contains("INSERT INTO"), refused.toString());
    assertFalse(refused.err().contains("rows loaded in"), "no final count of rows rolled back: " + refused);
  }

  @Test
  void badOptionsAreRefusedWithExitCode2() {
    Outcome both = cli("backup", "--db-url", sourceUrl, "--data-dir", dir.toString(), "--out", "x");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("not both"), both.toString());
    Outcome noJournal = cli("backup", "--data-dir", dir.resolve("empty").toString(), "--out", "x");
    assertEquals(2, noJournal.code());
    assertTrue(noJournal.err().contains("no embedded journal"), noJournal.toString());
    Outcome badNamespace = cli("backup", "--db-url", sourceUrl, "--namespace", "no/such", "--out", "x");
    assertEquals(2, badNamespace.code());
    Outcome exists = cli("backup", "--db-url", sourceUrl, "--db-user", "postgres", "--db-password", "postgres",
        "--out", full.toString());
    assertEquals(2, exists.code());
    assertTrue(exists.err().contains("exists"), exists.toString());
    Outcome noDirectory = cli("backup", "--db-url", sourceUrl, "--db-user", "postgres", "--db-password", "postgres",
        "--out", dir.resolve("no-such-dir/x").toString());
    assertEquals(2, noDirectory.code());
    assertTrue(noDirectory.err().contains("no-such-dir/x.partial: no such file or directory"), noDirectory.toString());
    assertEquals(2, cli("backup", "--db-url", sourceUrl).code(), "--out is required");
    assertEquals(2, cli("restore", "--db-url", "jdbc:mysql://db/x", full.toString()).code());
  }

  /** Every kind of change of strong keys, in two strong namespaces, and an eventual one. */
  private static void writeScenario(KvClient kv) {
    expect(201, kv.put("default", "doc", "v1", "Content-Type", "text/plain"));
    expect(200, kv.put("default", "doc", "v2", "Content-Type", "application/json", "If-Match", "\"1\""));
    expect(204, kv.delete("default", "doc"));
    for (int r = 4; r <= 8; r++) expect(r == 4 ? 201 : 200, kv.put("default", "doc", "v" + r));
    expect(201, kv.put("default", "gone", "soon"));
    expect(204, kv.delete("default", "gone"));
    expect(200, kv.send("POST", "/v1/kv/default/visits/increment?by=5", null));
    expect(200, kv.send("POST", "/v1/kv/default/visits/increment?by=-2", null));
    expect(201, kv.send("PUT", "/v1/kv/default/session?ttl=1h", "brief"));
    expect(201, kv.send("PUT", "/v1/kv/default/expired?ttl=1ms", "gone at once"));
    expect(201, kv.put("default", "users/42/name \uD83D\uDE00", "unicode"));
    expect(201, kv.putNamespace("orders", "{\"mode\":\"strong\"}"));
    expect(201, kv.put("orders", "o-1", "{\"total\":3}", "Content-Type", "application/json"));
    expect(201, kv.put("orders", "o-2", "x"));
    expect(200, kv.send("POST", "/v1/kv/orders/o-2/revert?to=1", null));
    expect(201, kv.putNamespace("carts", "{\"mode\":\"eventual\"}"));
    expect(201, kv.put("carts", "alice", "apple"));
    Await.assertEventually(Duration.ofSeconds(10), () -> assertTrue(kv.send("GET",
        "/v1/history/default/expired?limit=1", null).body().contains("\"expire\"")));
  }

  /** What the node answers for every key: the read (status, headers, body) and the history. */
  private static Map<String, String> answers(KvClient kv) {
    Map<String, String> out = new TreeMap<>();
    for (String key : KEYS) {
      HttpResponse<String> read = kv.send("GET", "/v1/kv/" + key, null);
      HttpResponse<String> history = kv.send("GET", "/v1/history/" + key + "?limit=1000", null);
      StringBuilder answer = new StringBuilder().append(read.statusCode());
      for (String h : List.of("ETag", "Content-Type", "X-KV-Revision", "X-KV-Modified", "X-KV-Expires")) {
        answer.append(' ').append(h).append('=').append(read.headers().firstValue(h).orElse("-"));
      }
      answer.append(" body=").append(read.statusCode() == 200 ? read.body() : "-");
      answer.append(" history=").append(history.statusCode()).append(' ')
          .append(history.statusCode() == 200 ? history.body() : "-");
      out.put(key, answer.toString());
    }
    return out;
  }

  private static long revision(String answer) {
    return Long.parseLong(answer.replaceAll(".*ETag=\"(\\d+)\".*", "$1"));
  }

  private static void expect(int status, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** The rows of a backup file whose values, base64 decoded where they decode, hold {@code text}. */
  private static List<String> decodedLinesWith(Path file, String text) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<String> found = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      JsonNode row = mapper.readTree(line);
      if (!row.has("v")) continue;
      StringBuilder decoded = new StringBuilder(row.path("t").asText());
      for (JsonNode v : row.path("v")) {
        decoded.append(' ').append(v.asText());
        try {
          decoded.append(' ').append(new String(java.util.Base64.getDecoder().decode(v.asText()),
              StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException notBase64) {
          // a text or number column
        }
      }
      if (decoded.toString().contains(text)) found.add(decoded.toString());
    }
    return found;
  }

    private static Outcome restore(String url, Path file) {
    return cli("restore", "--db-url", url, "--db-user", "postgres", "--db-password", "postgres", file.toString());
  }

  record Outcome(int code, String out, String err) {}

  /** Runs {@code actorkv ARGS} as its command line does, capturing what it prints. */
  private static synchronized Outcome cli(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = new CommandLine(new Main()).execute(args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  private static JournalDatabase database(String url) {
    return JournalDatabase.open(url, "postgres", "postgres", Path.of("unused"), Journal.H2);
  }

  /** Rows in the journal's tables; none if they do not exist yet. */
  private static long journalRows(String url) throws SQLException {
    return count(url, "event_journal") + count(url, "event_tag") + count(url, "snapshot");
  }

  private static long count(String url, String table) throws SQLException {
    try (Connection c = database(url).connect()) {
      try (ResultSet tables = c.getMetaData().getTables(null, null, table, null)) {
        if (!tables.next()) return 0;
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long max(String url, String column) throws SQLException {
    try (Connection c = database(url).connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT max(" + column + ") FROM event_journal")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
