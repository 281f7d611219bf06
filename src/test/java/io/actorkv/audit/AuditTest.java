package io.actorkv.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.actorkv.cli.Main;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.Expiry;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.KeyJournalSerializer;
import io.actorkv.testing.FreePorts;
import io.actorkv.testing.JournalFixtures;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code actorkv audit} on a real journal in PostgreSQL (and the embedded H2
 * default): an untouched journal verifies clean, and each kind of tampering
 * done with SQL on the database (a changed value, a changed principal, a
 * deleted, swapped or inserted event, a truncated key) is named with its key
 * and revision. Reports count what was written.
 */
class AuditTest {

  @TempDir
  Path dataDir;

  private static final String PREFIX = "kv|default|";

  @Test
  void everyKindOfTamperingIsFoundAndAnUntouchedJournalVerifiesClean() throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var settings = TestNodes.settings(dataDir, url, List.of());
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      for (String key : List.of("changed", "principal", "deleted", "swapped", "inserted", "truncated", "untouched")) {
        for (int r = 1; r <= 5; r++) assertEquals(r == 1 ? 201 : 200, kv.put("default", key, key + r).statusCode());
      }
    } finally {
      node.close();
    }
    JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    assertIntact(verify(db, Optional.empty()));
    // A namespace no key has an event of is verified (it may be empty), with a note: it used to pass silently.
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    assertEquals(Audit.INTACT, new Audit(db, Optional.of("defualt"), new PrintStream(progress, true,
        StandardCharsets.UTF_8), false).verify(Optional.empty(), new PrintStream(new ByteArrayOutputStream())));
    assertTrue(progress.toString(StandardCharsets.UTF_8).contains("no key of namespace 'defualt' has an event"),
        progress.toString(StandardCharsets.UTF_8));
    Path checkpoint = dataDir.resolve("heads.txt");
    try (PrintStream out = new PrintStream(Files.newOutputStream(checkpoint), true, StandardCharsets.UTF_8)) {
      assertEquals(Audit.INTACT, audit(db).checkpoint(out));
    }
    assertIntact(verify(db, Optional.of(checkpoint)));
    // Cut short at a line's end, a checkpoint holds fewer keys; it once verified INTACT against them.
    List<String> lines = Files.readAllLines(checkpoint);
    Path cut = Files.write(dataDir.resolve("cut.txt"), lines.subList(0, lines.size() - 2));
    Outcome againstCut = verify(db, Optional.of(cut));
    assertEquals(Audit.UNREADABLE, againstCut.code(), againstCut.toString());
    assertTrue(againstCut.summary().contains("is cut short"), againstCut.toString());

    // The command writes it owner-only and whole, and never over an earlier one.
    Path written = dataDir.resolve("cli-heads.txt");
    String[] checkpointCommand = {"audit", "checkpoint", "--db-url", url, "--db-user", "postgres", "--db-password",
        "postgres", "--out", written.toString()};
    assertEquals(Audit.INTACT, new CommandLine(new Main()).execute(checkpointCommand));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
    assertEquals(lines, Files.readAllLines(written));
    assertEquals("end\t7", lines.get(lines.size() - 1));
    Files.writeString(written, "kept");
    assertEquals(Audit.UNREADABLE, new CommandLine(new Main()).execute(checkpointCommand));
    assertEquals("kept", Files.readString(written));

    try (Connection c = db.connect()) {
      rewrite(c, "changed", 3, e -> put(e, "forged value", null));
      rewrite(c, "principal", 2, e -> put(e, null, "mallory"));
      update(c, "DELETE FROM event_journal WHERE persistence_id = ? AND sequence_number = 3", PREFIX + "deleted");
      swapPayloads(c, "swapped", 2, 4);
      update(c, "DELETE FROM event_journal WHERE persistence_id = ? AND sequence_number > 3", PREFIX + "truncated");
      insertUnchained(c, "inserted", 6);
    }

    Outcome found = verify(db, Optional.empty());
    assertEquals(Audit.TAMPERED, found.code());
    // A swap breaks the links of both events and of those between and after them, up to the next intact one.
    assertEquals(List.of("changed@3", "deleted@4", "inserted@6", "principal@2", "swapped@2", "swapped@3", "swapped@4",
        "swapped@5"), found.damaged(), "truncation alone leaves a valid chain: only a checkpoint shows it");
    Outcome againstCheckpoint = verify(db, Optional.of(checkpoint));
    assertTrue(againstCheckpoint.damaged().contains("truncated@3"), againstCheckpoint.toString());
    assertTrue(againstCheckpoint.damaged().stream().noneMatch(d -> d.startsWith("untouched")));
  }

  @Test
  void aJournalOfRelease01VerifiesWithItsEventsUnchainedAndTheChainStartsAfterThem() throws Exception {
    var settings = TestNodes.settings(dataDir, null, List.of());
    JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    db.migrate();
    try (Connection c = db.connect()) {
      JournalFixtures.load(c, "0.1.jsonl");
    }
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(200, kv.put("default", "plain", "third").statusCode());
      assertEquals(201, kv.put("default", "fresh", "new").statusCode());
    } finally {
      node.close();
    }
    Outcome outcome = verify(db, Optional.empty());
    assertEquals(Audit.INTACT, outcome.code(), outcome.toString());
    assertTrue(outcome.summary().contains("written before 0.2 without a link"), outcome.summary());
  }

  @Test
  void aReportShowsEveryChangeOnceAndFiltersByPrincipalAndTime() throws Exception {
    var settings = TestNodes.settings(dataDir, TestPostgres.jdbcUrl(TestPostgres.newDatabase()), List.of());
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    Instant before = Instant.now();
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("orders", "{}").statusCode());
      for (int i = 0; i < 40; i++) kv.put(i % 2 == 0 ? "default" : "orders", "k" + (i % 7), "v" + i);
      kv.send("POST", "/v1/kv/default/count/increment?by=3", null);
      kv.delete("default", "k0");
    } finally {
      node.close();
    }
    JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));

    List<JsonNode> all = report(db, Optional.empty(), AuditReport.Format.JSONL, new ChangeLog.Filter(Optional.empty(), Optional.empty(), 
        Optional.empty(), Optional.empty(), Optional.empty()));
    assertEquals(42, all.size());
    Map<String, Integer> byOperation = new HashMap<>();
    all.forEach(l -> byOperation.merge(l.get("operation").asText(), 1, Integer::sum));
    assertEquals(Map.of("put", 40, "increment", 1, "delete", 1), byOperation);
    assertTrue(all.stream().noneMatch(l -> l.has("value")), "values only with --values");
    assertEquals(20, report(db, Optional.of("orders"), AuditReport.Format.JSONL, new ChangeLog.Filter(Optional.empty(), Optional.empty(), 
        Optional.empty(), Optional.empty(), Optional.empty())).size());
    assertEquals(0, report(db, Optional.empty(), AuditReport.Format.JSONL, new ChangeLog.Filter(Optional.empty(), Optional.empty(), 
        Optional.empty(), Optional.of(before), Optional.empty())).size());
    assertEquals(0, report(db, Optional.empty(), AuditReport.Format.JSONL, new ChangeLog.Filter(Optional.empty(), Optional.empty(), 
        Optional.empty(), Optional.empty(), Optional.of("mallory"))).size());
    long offsets = all.stream().mapToLong(l -> l.get("offset").asLong()).distinct().count();
    assertEquals(42, offsets, "each change once, at its own journal offset");

    StringWriter csv = new StringWriter();
    assertEquals(Audit.INTACT, audit(db, Optional.empty()).report(csv, AuditReport.Format.CSV,
        new ChangeLog.Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), true));
    String[] lines = csv.toString().split("\n");
    assertEquals(43, lines.length);
    assertEquals(String.join(",", AuditReport.COLUMNS), lines[0]);
  }

  /** A journal that cannot be read says so, with no count of events "verified" before it. */
  @Test
  void aJournalOutOfReachIsUnreadableWithNoCountOfEvents() {
    JournalDatabase nowhere = JournalDatabase.open("jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/x", "u", "p",
        dataDir, ActorKvSettings.Journal.EMBEDDED_POSTGRES);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new Audit(nowhere, Optional.empty(), new PrintStream(progress, true, StandardCharsets.UTF_8), false)
        .verify(Optional.empty(), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(Audit.UNREADABLE, code);
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("cannot read the journal: "), out.toString());
    assertFalse(progress.toString(StandardCharsets.UTF_8).contains("verified"), progress.toString());
  }

  // --- helpers

  record Outcome(int code, List<String> damaged, String summary) {}

  private static void assertIntact(Outcome outcome) {
    assertEquals(Audit.INTACT, outcome.code(), outcome.toString());
    assertEquals(List.of(), outcome.damaged());
    assertTrue(outcome.summary().startsWith("INTACT"), outcome.summary());
  }

  private Audit audit(JournalDatabase db) {
    return audit(db, Optional.empty());
  }

  private Audit audit(JournalDatabase db, Optional<String> namespace) {
    return new Audit(db, namespace, new PrintStream(new ByteArrayOutputStream()), false);
  }

  /** The exit code, and the damaged keys and revisions as key@revision, sorted and without repeats. */
  private Outcome verify(JournalDatabase db, Optional<Path> against) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = audit(db).verify(against, new PrintStream(out, true, StandardCharsets.UTF_8));
    List<String> damaged = new ArrayList<>();
    String text = out.toString(StandardCharsets.UTF_8);
    String summary = "";
    for (String line : text.split("\n")) {
      if (line.startsWith("TAMPERED " + PREFIX)) {
        String rest = line.substring(("TAMPERED " + PREFIX).length());
        String key = rest.substring(0, rest.indexOf(' '));
        String revision = rest.substring(rest.indexOf("revision ") + 9, rest.indexOf(':'));
        String entry = key + "@" + revision;
        if (!damaged.contains(entry)) damaged.add(entry);
      } else if (!line.isBlank()) {
        summary = line;
      }
    }
    damaged.sort(null);
    return new Outcome(code, damaged, summary);
  }

  private List<JsonNode> report(JournalDatabase db, Optional<String> ns, AuditReport.Format format,
                                ChangeLog.Filter filter) throws Exception {
    StringWriter out = new StringWriter();
    assertEquals(Audit.INTACT, audit(db, ns).report(out, format, filter, false));
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().split("\n")) if (!line.isBlank()) lines.add(json.readTree(line));
    return lines;
  }

  private interface Change {
    KeyEvent apply(KeyEvent e);
  }

  private static KeyEvent put(KeyEvent e, String value, String principal) {
    KeyEvent.ValuePut p = (KeyEvent.ValuePut) e;
    return new KeyEvent.ValuePut(value == null ? p.value() : value.getBytes(StandardCharsets.UTF_8), p.contentType(),
        p.expiresAt() == null ? Expiry.NEVER : p.expiresAt(), principal == null ? p.principal() : principal,
        p.timestamp(), p.hash());
  }

  /** Rewrites one event's payload as an attacker with database access would, keeping its link. */
  private static void rewrite(Connection c, String key, long revision, Change change) throws Exception {
    byte[] payload = payload(c, key, revision);
    KeyEvent event = KeyJournalSerializer.decode(730_002, "kv.put", payload);
    byte[] forged = new KeyJournalSerializer().toBinary(change.apply(event));
    try (PreparedStatement p = c.prepareStatement(
        "UPDATE event_journal SET event_payload = ? WHERE persistence_id = ? AND sequence_number = ?")) {
      p.setBytes(1, forged);
      p.setString(2, PREFIX + key);
      p.setLong(3, revision);
      assertEquals(1, p.executeUpdate());
    }
  }

  private static void swapPayloads(Connection c, String key, long a, long b) throws Exception {
    byte[] first = payload(c, key, a);
    byte[] second = payload(c, key, b);
    for (long[] pair : new long[][] {{a, 0}, {b, 1}}) {
      try (PreparedStatement p = c.prepareStatement(
          "UPDATE event_journal SET event_payload = ? WHERE persistence_id = ? AND sequence_number = ?")) {
        p.setBytes(1, pair[1] == 0 ? second : first);
        p.setString(2, PREFIX + key);
        p.setLong(3, pair[0]);
        p.executeUpdate();
      }
    }
  }

  /** An event added after the head, without a link, as a careless forger would. */
  private static void insertUnchained(Connection c, String key, long revision) throws Exception {
    var event = new KeyEvent.ValuePut("planted".getBytes(StandardCharsets.UTF_8), "text/plain", Expiry.NEVER,
        "mallory", Instant.now());
    try (PreparedStatement p = c.prepareStatement("INSERT INTO event_journal (persistence_id, sequence_number, "
        + "deleted, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload) "
        + "VALUES (?, ?, false, 'x', 0, '', 730002, 'kv.put', ?)")) {
      p.setString(1, PREFIX + key);
      p.setLong(2, revision);
      p.setBytes(3, new KeyJournalSerializer().toBinary(event));
      p.executeUpdate();
    }
  }

  private static byte[] payload(Connection c, String key, long revision) throws Exception {
    try (PreparedStatement p = c.prepareStatement(
        "SELECT event_payload FROM event_journal WHERE persistence_id = ? AND sequence_number = ?")) {
      p.setString(1, PREFIX + key);
      p.setLong(2, revision);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next(), key + "@" + revision);
        return rs.getBytes(1);
      }
    }
  }

  private static void update(Connection c, String sql, String persistenceId) throws Exception {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, persistenceId);
      assertTrue(p.executeUpdate() > 0);
    }
  }
}
