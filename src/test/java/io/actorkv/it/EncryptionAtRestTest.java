package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.audit.Audit;
import io.actorkv.audit.AuditReport;
import io.actorkv.config.ActorKvSettings.Journal;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.security.Tokens;
import io.actorkv.store.ChangeLog;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest of strong namespaces, end to end over HTTP on the H2
 * journal, with the node stopped before the data directory is searched byte
 * by byte: values (events, snapshots, the key index) are only ciphertext
 * there with a master key and in the clear without; a ciphertext moved onto
 * another key does not open; a master key rotates; a shredded namespace,
 * strong or eventual, answers 410 for good (the rest of eventual mode's
 * encryption: {@link EventualEncryptionTest}).
 */
class EncryptionAtRestTest {

  @TempDir
  Path dataDir;

  @TempDir
  Path keys;

  /** Snapshots every 3 revisions, so a key written 4 times has one. */
  private Node start(Path... masterKeys) {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    if (masterKeys.length > 0) settings.put(Setting.MASTER_KEY_FILE, masterKeys[0].toString());
    if (masterKeys.length > 1) {
      settings.put(Setting.PREVIOUS_MASTER_KEY_FILE,
          Stream.of(masterKeys).skip(1).map(Path::toString).toList());
    }
    return TestNodes.start(settings, ConfigFactory.parseString("actorkv.snapshot-every = 3"));
  }

  private Path newMasterKey(String name) {
    Path file = keys.resolve(name);
    Tokens.newSecret(file);
    return file;
  }

  @Test
  void withAMasterKeyNoValueOfAStrongNamespaceIsOnDiskInTheClear() throws Exception {
    List<String> values = writeAndReadBack(start(newMasterKey("master")));
    assertEquals(Set.of(), foundOnDisk(values), "values in the clear under " + dataDir);
    assertTrue(snapshots() > 0, "a snapshot was taken, and searched");
  }

  @Test
  void withoutAMasterKeyTheSameSearchFindsEveryValue() throws Exception {
    List<String> values = writeAndReadBack(start());
    assertEquals(Set.copyOf(values), foundOnDisk(values), "the search finds values stored in the clear");
  }

  /** A transaction compares and reads values in the clear, and seals what it puts as a single write does. */
  @Test
  void aTransactionComparesAndReadsInTheClearAndSealsWhatItPuts() throws Exception {
    String kept = "plaintext-kept-" + UUID.randomUUID();
    String put = "plaintext-put-" + UUID.randomUUID();
    Node node = start(newMasterKey("master"));
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "t/kept", kept).statusCode());
      HttpResponse<String> r = kv.send("POST", "/v1/txn", TxnTest.txn(
          List.of(TxnTest.cmp("t/kept", "value", "=", "value", "\"" + kept + "\"")),
          List.of(TxnTest.put("t/put", put), TxnTest.get("t/kept")), List.of()));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(json(r).get("succeeded").asBoolean(), "the compare saw the value in the clear: " + r.body());
      assertEquals(kept, new String(Base64.getDecoder().decode(json(r).get("results").get(1).get("value").asText()),
          StandardCharsets.UTF_8));
      assertEquals(put, kv.get("default", "t/put").body());
    } finally {
      node.close();
    }
    assertEquals(Set.of(), foundOnDisk(List.of(kept, put)), "values in the clear under " + dataDir);
  }

  /** Writes values to the built-in and a created namespace, reads them every way, stops the node. */
  private List<String> writeAndReadBack(Node node) {
    List<String> values = new ArrayList<>();
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("docs", "").statusCode());
      for (String ns : List.of("default", "docs")) {
        for (int revision = 1; revision <= 4; revision++) {
          String value = "plaintext-" + ns + "-" + revision + "-" + UUID.randomUUID();
          values.add(value);
          assertTrue(kv.put(ns, "doc", value).statusCode() / 100 == 2);
        }
        assertEquals(values.get(values.size() - 1), kv.get(ns, "doc").body());
        assertEquals(values.get(values.size() - 4), kv.send("GET", "/v1/kv/" + ns + "/doc?revision=1", null).body(),
            "a past revision");
        HttpResponse<String> history = kv.send("GET", "/v1/history/" + ns + "/doc?order=oldest", null);
        assertEquals(values.get(values.size() - 4).length(),
            json(history).get("revisions").get(0).get("size").asInt(), "history shows the plaintext's size");
        assertEquals(64, json(history).get("revisions").get(0).get("sha256").asText().length());
        String first = values.get(values.size() - 4);
        assertEquals(2, kv.send("POST", "/v1/kv/" + ns + "/doc/revert?to=1", null).statusCode() / 100);
        assertEquals(first, kv.get(ns, "doc").body(), "a revert opens the old value and seals it again");
        String last = first;
        Await.assertEventually(Duration.ofSeconds(10), () -> assertEquals(
            Base64.getEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)),
            json(kv.send("GET", "/v1/kv/" + ns + "?keysOnly=false", null)).get("keys").get(0).get("value").asText(),
            "a listing with values shows the plaintext"));
      }
    } finally {
      node.close();
    }
    return values;
  }

  @Test
  void aCiphertextCopiedOntoAnotherKeyAnswersAnErrorNotTheOtherValue() throws Exception {
    Path master = newMasterKey("master");
    Node node = start(master);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "alice", "alice-secret").statusCode());
      assertEquals(201, kv.put("default", "bob", "bob-secret").statusCode());
    } finally {
      node.close();
    }
    try (Connection c = h2(); PreparedStatement copy = c.prepareStatement("UPDATE \"event_journal\" SET "
        + "\"event_payload\" = (SELECT \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = "
        + "'kv|default|alice') WHERE \"persistence_id\" = 'kv|default|bob'")) {
      assertEquals(1, copy.executeUpdate());
    }
    node = start(master);
    try {
      KvClient kv = new KvClient(node.httpPort());
      HttpResponse<String> bob = kv.get("default", "bob");
      assertEquals(500, bob.statusCode(), bob.body());
      assertEquals("value_unreadable", json(bob).get("error").asText());
      assertFalse(bob.body().contains("alice-secret"));
      assertEquals("alice-secret", kv.get("default", "alice").body(), "the row's own key still reads it");
    } finally {
      node.close();
    }
  }

  @Test
  void aMasterKeyRotatesWhileTheOldOneIsStillGivenThenGoes() throws Exception {
    Path oldKey = newMasterKey("old");
    Path newKey = newMasterKey("new");
    Node node = start(oldKey);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("docs", "").statusCode());
      assertEquals(201, kv.put("default", "k", "in-default").statusCode());
      assertEquals(201, kv.put("docs", "k", "in-docs").statusCode());
    } finally {
      node.close();
    }
    Set<String> wrappedBefore = masterKeyIds();
    assertEquals(1, wrappedBefore.size());

    node = start(newKey, oldKey);
    try {
      assertEquals("in-docs", new KvClient(node.httpPort()).get("docs", "k").body());
    } finally {
      node.close();
    }
    Set<String> wrappedAfter = masterKeyIds();
    assertEquals(1, wrappedAfter.size());
    assertFalse(wrappedAfter.equals(wrappedBefore), "every data key is wrapped by the new master key");

    node = start(newKey);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals("in-default", kv.get("default", "k").body());
      assertEquals("in-docs", kv.get("docs", "k").body());
    } finally {
      node.close();
    }
  }

  /** A strong namespace, {@code gone}, and an eventual one, {@code evgone}, shredded alike. */
  @Test
  void aShreddedNamespaceAnswers410ForEverythingAndForGood() throws Exception {
    Path master = newMasterKey("master");
    Node node = start(master);
    List<String> values = new ArrayList<>();
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("gone", "").statusCode());
      assertEquals(201, kv.putNamespace("kept", "").statusCode());
      assertEquals(201, kv.putNamespace("evgone", "{\"mode\": \"eventual\"}").statusCode());
      for (int i = 0; i < 4; i++) {
        String value = "shred-me-" + i + "-" + UUID.randomUUID();
        values.add(value);
        assertTrue(kv.put("gone", "k" + (i % 2), value).statusCode() / 100 == 2);
        String eventual = "shred-me-eventual-" + i + "-" + UUID.randomUUID();
        values.add(eventual);
        assertEquals(201, kv.put("evgone", "k" + i, eventual).statusCode());
      }
      assertEquals(201, kv.put("kept", "k", "still-here").statusCode());

      assertError(kv.send("DELETE", "/v1/namespaces/gone?shred=maybe", null), 400, "bad_flag");
      assertError(kv.send("DELETE", "/v1/namespaces/nothere?shred=true", null), 404, "namespace_not_found");
      assertEquals(204, kv.send("DELETE", "/v1/namespaces/gone?shred=true", null).statusCode());
      assertEquals(204, kv.send("DELETE", "/v1/namespaces/gone?shred=true", null).statusCode(), "again: done");
      assertEquals(204, kv.send("DELETE", "/v1/namespaces/evgone?shred=true", null).statusCode());

      assertGone(kv, "gone");
      assertGone(kv, "evgone");
      assertTrue(json(kv.send("GET", "/v1/namespaces/gone", null)).has("shreddedAt"));
      assertEquals("still-here", kv.get("kept", "k").body(), "other namespaces keep their key");
    } finally {
      node.close();
    }
    assertEquals(Set.of(), foundOnDisk(values));
    assertDataKeyDestroyed("gone");
    assertDataKeyDestroyed("evgone");

    // The hash chain covers the ciphertext: it verifies without any key, and a report shows no value.
    JournalDatabase journal = JournalDatabase.open("", "", "", dataDir, Journal.H2);
    Audit audit = new Audit(journal, Optional.of("gone"), new PrintStream(new ByteArrayOutputStream()), false);
    ByteArrayOutputStream verified = new ByteArrayOutputStream();
    assertEquals(Audit.INTACT, audit.verify(Optional.empty(), new PrintStream(verified, true, StandardCharsets.UTF_8)),
        verified.toString(StandardCharsets.UTF_8));
    StringWriter report = new StringWriter();
    assertEquals(Audit.INTACT, audit.report(report, AuditReport.Format.JSONL, ChangeLog.Filter.ALL, true));
    assertEquals(4, report.toString().lines().filter(l -> l.contains("\"sealed\":true")).count(), report.toString());
    assertFalse(report.toString().contains("\"value\""), report.toString());

    node = start(master);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertGone(kv, "gone");
      assertGone(kv, "evgone");
      assertEquals("still-here", kv.get("kept", "k").body());
    } finally {
      node.close();
    }
  }

  /**
   * Two nodes on one PostgreSQL journal, so one data key per namespace: a
   * value sealed on one node reads on the other, strong or eventual, and a
   * shredding through one reaches the other by the namespace registry.
   */
  @Test
  void aShreddingThroughOneNodeReachesEveryNode(@TempDir Path d1, @TempDir Path d2) {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Path master = newMasterKey("master");
    Map<Setting, Object> s1 = TestNodes.settings(d1, url, List.of());
    s1.put(Setting.SEEDS, List.of(TestNodes.remoteAddress(s1)));
    Map<Setting, Object> s2 = TestNodes.settings(d2, url, List.of(TestNodes.remoteAddress(s1)));
    s1.put(Setting.MASTER_KEY_FILE, master.toString());
    s2.put(Setting.MASTER_KEY_FILE, master.toString());
    Node n1 = TestNodes.start(s1, ConfigFactory.empty());
    try {
      Node n2 = TestNodes.start(s2, ConfigFactory.empty());
      try {
        Await.until(Duration.ofSeconds(60), () -> TestNodes.upMembers(n1) == 2 && TestNodes.upMembers(n2) == 2);
        KvClient first = new KvClient(n1.httpPort());
        KvClient second = new KvClient(n2.httpPort());
        assertEquals(201, first.putNamespace("gone", "").statusCode());
        assertEquals(201, first.putNamespace("evgone", "{\"mode\": \"eventual\"}").statusCode());
        for (int i = 0; i < 20; i++) {
          assertEquals(201, first.put("gone", "k" + i, "v" + i).statusCode());
          assertEquals(201, first.put("evgone", "k" + i, "ev" + i).statusCode());
        }
        for (int i = 0; i < 20; i++) assertEquals("v" + i, second.get("gone", "k" + i).body(), "both nodes read");
        Await.assertEventually(Duration.ofSeconds(10), () -> {
          for (int i = 0; i < 20; i++) assertEquals("ev" + i, second.get("evgone", "k" + i).body(), "replicated");
        });
        assertEquals(201, second.put("evgone", "back", "from-second").statusCode());
        Await.assertEventually(Duration.ofSeconds(10),
            () -> assertEquals("from-second", first.get("evgone", "back").body()));

        assertEquals(204, first.send("DELETE", "/v1/namespaces/gone?shred=true", null).statusCode());
        assertEquals(204, first.send("DELETE", "/v1/namespaces/evgone?shred=true", null).statusCode());

        Await.assertEventually(Duration.ofSeconds(10), () -> {
          for (String ns : List.of("gone", "evgone")) {
            for (int i = 0; i < 20; i++) assertError(second.get(ns, "k" + i), 410, "shredded");
            assertError(second.put(ns, "k0", "again"), 410, "shredded");
          }
        });
      } finally {
        n2.close();
      }
    } finally {
      n1.close();
    }
  }

  @Test
  void withoutAMasterKeyNothingCanBeShredded() {
    Node node = start();
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("plain", "").statusCode());
      assertError(kv.send("DELETE", "/v1/namespaces/plain?shred=true", null), 409, "cannot_shred");
      assertEquals(201, kv.put("plain", "k", "v").statusCode(), "nothing changed");
    } finally {
      node.close();
    }
  }

  /** Every route to the shredded namespace {@code ns}, which held a key {@code k0}, answers 410. */
  private static void assertGone(KvClient kv, String ns) {
    assertError(kv.get(ns, "k0"), 410, "shredded");
    assertError(kv.put(ns, "k0", "new"), 410, "shredded");
    assertError(kv.delete(ns, "k0"), 410, "shredded");
    assertError(kv.send("POST", "/v1/kv/" + ns + "/c/increment?by=1", null), 410, "shredded");
    assertError(kv.send("GET", "/v1/kv/" + ns + "?keysOnly=false", null), 410, "shredded");
    assertError(kv.send("GET", "/v1/history/" + ns + "/k0", null), 410, "shredded");
    assertError(kv.send("GET", "/v1/audit/" + ns, null), 410, "shredded");
    assertError(kv.send("GET", "/v1/watch/" + ns, null), 410, "shredded");
    assertError(kv.send("POST", "/v1/batch", "{\"operations\": [{\"op\": \"get\", \"namespace\": \"" + ns
        + "\", \"key\": \"k0\"}]}", "Content-Type", "application/json"), 410, "shredded");
    assertError(kv.putNamespace(ns, ""), 410, "shredded");
    assertError(kv.send("DELETE", "/v1/namespaces/" + ns, null), 410, "shredded");
  }

  /** The data key of {@code storageName} in the stopped node's H2 journal is blank. */
  private void assertDataKeyDestroyed(String storageName) throws SQLException {
    try (Connection c = h2(); PreparedStatement select = c.prepareStatement(
        "SELECT \"wrapped\" FROM \"actorkv_data_key\" WHERE \"storage_name\" = ?")) {
      select.setString(1, storageName);
      try (ResultSet rs = select.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(null, rs.getBytes(1), "the data key is destroyed");
      }
    }
  }

  static void assertError(HttpResponse<String> response, int status, String error) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(error, json(response).get("error").asText(), response.body());
  }

  /** The values whose UTF-8 bytes occur in any file under the data directory. */
  private Set<String> foundOnDisk(List<String> values) throws IOException {
    return foundUnder(dataDir, values);
  }

  /**
   * The values whose UTF-8 bytes occur in any file under {@code dir}, or in
   * what a gzip stream inside one inflates to: Distributed Data compresses
   * the maps it stores in LMDB.
   */
  static Set<String> foundUnder(Path dir, List<String> values) throws IOException {
    Set<String> found = new HashSet<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        for (byte[] bytes : withInflated(Files.readAllBytes(file), 2)) {
          for (String value : values) {
            if (indexOf(bytes, value.getBytes(StandardCharsets.UTF_8)) >= 0) found.add(value);
          }
        }
      }
    }
    return found;
  }

  /** {@code bytes}, then what each gzip stream in them inflates to, searched likewise {@code depth} levels deep. */
  private static List<byte[]> withInflated(byte[] bytes, int depth) {
    List<byte[]> all = new ArrayList<>(List.of(bytes));
    for (int i = 0; depth > 0 && i + 2 < bytes.length; i++) {
      if (bytes[i] == 0x1f && bytes[i + 1] == (byte) 0x8b && bytes[i + 2] == 8) {
        ByteArrayOutputStream inflated = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes, i, bytes.length - i))) {
          in.transferTo(inflated);
        } catch (IOException notAllGzip) {
          // What inflated before the stream broke off is searched all the same.
        }
        if (inflated.size() > 0) all.addAll(withInflated(inflated.toByteArray(), depth - 1));
      }
    }
    return all;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  private long snapshots() throws SQLException {
    try (Connection c = h2(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"snapshot\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Set<String> masterKeyIds() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = h2(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT \"master_key_id\" FROM \"actorkv_data_key\"")) {
      while (rs.next()) ids.add(rs.getString(1));
    }
    return ids;
  }

  /** The stopped node's H2 journal. */
  private Connection h2() throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal").resolve("actorkv"), "sa", "");
  }
}
