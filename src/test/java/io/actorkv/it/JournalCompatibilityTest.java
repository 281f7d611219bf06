package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.JournalFixtures;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Journals written by earlier releases load: each fixture in
 * src/test/resources/journals/ was written by {@link JournalFixtures#writeScenario}
 * against that release's jar. A change that cannot read one of them (a
 * renamed event, a field read differently) fails here. New events are
 * written under their stable names, whatever the old ones were stored as.
 */
class JournalCompatibilityTest {

  @TempDir
  Path dataDir;

  /** 0.1 stored events under Jackson class names; 0.2 under stable names. */
  @ParameterizedTest
  @ValueSource(strings = {"0.1.jsonl", "0.2.jsonl"})
  void aJournalOfAnEarlierReleaseLoadsOnTheEmbeddedH2Default(String fixture) throws Exception {
    readEverythingBack(fixture, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.jsonl", "0.2.jsonl"})
  void aJournalOfAnEarlierReleaseLoadsOnPostgreSQL(String fixture) throws Exception {
    readEverythingBack(fixture, TestPostgres.jdbcUrl(TestPostgres.newDatabase()));
  }

  private void readEverythingBack(String fixture, String dbUrl) throws Exception {
    var settings = TestNodes.settings(dataDir, dbUrl, List.of());
    JournalDatabase database = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    database.migrate();
    try (Connection db = DriverManager.getConnection(database.url(), database.user(), database.password())) {
      assertTrue(JournalFixtures.load(db, fixture) > 100);
    }

    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      expectValue(kv.get("default", "plain"), "hello again", 2);
      assertEquals("text/plain", kv.get("default", "plain").headers().firstValue("Content-Type").orElseThrow());
      expectValue(kv.get("default", "counter"), "3", 2);
      expectValue(kv.get("default", "users/42/name \uD83D\uDE00"), "unicode", 1);
      expectValue(kv.get("default", "snapshotted"), "v" + JournalFixtures.SNAPSHOTTED_REVISIONS,
          JournalFixtures.SNAPSHOTTED_REVISIONS);
      var century = kv.get("default", "long-lived");
      expectValue(century, "for a century", 1);
      assertTrue(century.headers().firstValue("X-KV-Expires").isPresent());
      expectValue(kv.get("orders", "o-1"), "{\"total\":3}", 1);
      assertEquals(404, kv.get("default", "deleted").statusCode());
      assertEquals(404, kv.get("default", "short-lived").statusCode());
      // A key recovered from its old events goes on from its old revision.
      assertEquals(3, KvClient.revision(kv.put("default", "deleted", "back")));
      assertEquals(3, KvClient.revision(kv.put("default", "short-lived", "again")));
      // A key recovered from an old snapshot and events takes idempotent writes: a repeat changes nothing.
      long next = JournalFixtures.SNAPSHOTTED_REVISIONS + 1;
      assertEquals(next, KvClient.revision(kv.put("default", "snapshotted", "once", "Idempotency-Key", "c-1")));
      assertEquals(next, KvClient.revision(kv.put("default", "snapshotted", "once", "Idempotency-Key", "c-1")));
      assertEquals(next, KvClient.revision(kv.get("default", "snapshotted")));

      var namespaces = json(kv.send("GET", "/v1/namespaces", null)).get("namespaces");
      List<String> names = new ArrayList<>();
      namespaces.forEach(n -> names.add(n.get("name").asText()));
      assertEquals(List.of("default", "carts", "orders"), names);
      var carts = json(kv.send("GET", "/v1/namespaces/carts", null));
      assertEquals("eventual", carts.get("mode").asText());
      assertEquals("siblings", carts.get("conflicts").asText());
      assertEquals("30d", carts.get("ttl").asText());
      assertEquals(201, kv.put("carts", "alice", "apple").statusCode());
      assertEquals(404, kv.get("gone", "k").statusCode());

      assertEquals(List.of("kv.put", "kv.put"), newestManifests(database, 2));
    } finally {
      node.close();
    }
  }

  private static void expectValue(HttpResponse<String> read, String value, long revision) {
    assertEquals(200, read.statusCode(), read.body());
    assertEquals(value, read.body());
    assertEquals(revision, KvClient.revision(read));
  }

  /** The manifests of the journal's newest rows, newest first. */
  private static List<String> newestManifests(JournalDatabase database, int rows) throws Exception {
    boolean h2 = database.vendor().equals("h2");
    String sql = h2
        ? "SELECT \"event_ser_manifest\" FROM \"event_journal\" ORDER BY \"ordering\" DESC LIMIT " + rows
        : "SELECT event_ser_manifest FROM event_journal ORDER BY ordering DESC LIMIT " + rows;
    List<String> out = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(database.url(), database.user(), database.password());
         Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getString(1));
    }
    assertFalse(out.isEmpty());
    return out;
  }
}
