package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.FreePorts;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TcpProxy;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client is told when the node cannot serve: 503 before it is a
 * member, 504 when the journal stalls, 503 when it fails a write.
 */
class FailureResponsesTest {

  @Test
  void aWriteStuckOnAStalledJournalAnswers504AndSaysItMayHaveApplied(@TempDir Path dataDir) throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestPostgres.port())) {
      Node node = TestNodes.behind(proxy, dataDir, ConfigFactory.parseString("actorkv.request-timeout = 1s"));
      try {
        KvClient kv = new KvClient(node.httpPort());
        assertEquals(201, kv.put("default", "k", "v1").statusCode());

        proxy.freeze();
        var write = kv.put("default", "k", "v2");
        assertEquals(504, write.statusCode(), write.body());
        assertEquals("timeout", json(write).get("error").asText());
        assertTrue(json(write).get("mayHaveApplied").asBoolean());
        assertTrue(json(write).get("message").asText().contains("may or may not"));

        var read = kv.get("default", "cold-key"); // its entity must recover from the stalled journal
        assertEquals(504, read.statusCode(), read.body());
        assertEquals(false, json(read).get("mayHaveApplied").asBoolean());

        // A transaction is a POST either way; only its body says whether it writes.
        var readingTxn = kv.send("POST", "/v1/txn",
            "{\"success\": [{\"op\": \"get\", \"namespace\": \"default\", \"key\": \"cold-2\"}]}");
        assertEquals(504, readingTxn.statusCode(), readingTxn.body());
        assertEquals(false, json(readingTxn).get("mayHaveApplied").asBoolean());
        var writingTxn = kv.send("POST", "/v1/txn", "{\"success\": [{\"op\": \"get\", \"namespace\": \"default\", "
            + "\"key\": \"cold-3\"}, {\"op\": \"put\", \"namespace\": \"default\", \"key\": \"cold-3\", \"value\": \"x\"}]}");
        assertEquals(504, writingTxn.statusCode(), writingTxn.body());
        assertEquals(true, json(writingTxn).get("mayHaveApplied").asBoolean());

        proxy.thaw();
        // The timed-out write was in flight, and it did apply: exactly what "may have" warned of.
        Await.assertEventually(Duration.ofSeconds(30), () -> {
          var after = kv.get("default", "k");
          assertEquals(200, after.statusCode());
          assertEquals("v2", after.body());
          assertEquals(2, KvClient.revision(after));
        });
      } finally {
        node.close();
      }
    }
  }

  /**
   * Reads of the journal's database, not of an entity (a listing, a key's
   * history, a past revision, an audit page), answer 504 by the request's
   * deadline while the database is frozen: they waited on it until Pekko
   * HTTP's own timeout (503 after 30 s), or longer.
   */
  @Test
  void readsOfAFrozenJournalAnswer504ByTheDeadline(@TempDir Path dataDir) throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestPostgres.port())) {
      Node node = TestNodes.behind(proxy, dataDir, ConfigFactory.parseString("actorkv.request-timeout = 1s"));
      try {
        KvClient kv = new KvClient(node.httpPort());
        assertEquals(201, kv.put("default", "k", "v1").statusCode());
        assertEquals(200, kv.send("GET", "/v1/kv/default", null).statusCode());

        proxy.freeze();
        for (String path : List.of("/v1/kv/default", "/v1/kv/default?count=true", "/v1/history/default/k",
            "/v1/kv/default/k?revision=1", "/v1/audit/default")) {
          var read = kv.send("GET", path, null);
          assertEquals(504, read.statusCode(), path + ": " + read.body());
          assertEquals(false, json(read).get("mayHaveApplied").asBoolean(), path + ": " + read.body());
        }
        proxy.thaw();
        Await.assertEventually(Duration.ofSeconds(30),
            () -> assertEquals(200, kv.send("GET", "/v1/kv/default", null).statusCode()));
      } finally {
        node.close();
      }
    }
  }

  /**
   * A key whose snapshot cannot be read (a row this build cannot
   * deserialize) cannot serve, but it must not stop the node serving other
   * keys: every key's recovery loads its snapshot through one snapshot
   * store, whose circuit breaker opened after 5 failures in a row and then
   * failed every cold key for a minute, while the broken key kept it open.
   * Its requests are told so at once (500 value_unreadable, nothing
   * changed), not left to wait out their deadline and answer 504; and a
   * write refused so does not apply once the row is mended.
   */
  @Test
  void aKeyWhoseSnapshotCannotBeReadAnswers500AndOtherKeysServe(@TempDir Path dataDir) throws Exception {
    String database = TestPostgres.newDatabase();
    Map<Setting, Object> settings = TestNodes.settings(dataDir, TestPostgres.jdbcUrl(database), List.of());
    Config config = ConfigFactory.parseString("actorkv.snapshot-every = 2\nactorkv.request-timeout = 5s");
    Node first = TestNodes.start(settings, config);
    try {
      KvClient kv = new KvClient(first.httpPort());
      for (int i = 0; i < 3; i++) assertTrue(kv.put("default", "broken", "v" + i).statusCode() < 300);
      for (int i = 0; i < 5; i++) assertEquals(201, kv.put("default", "cold-" + i, "v").statusCode());
    } finally {
      first.close();
    }
    String ofBroken = " WHERE persistence_id = 'kv|default|broken'";
    int serializer = sql(database, s -> {
      try (var rs = s.executeQuery("SELECT snapshot_ser_id FROM snapshot" + ofBroken)) {
        rs.next();
        return rs.getInt(1);
      }
    });
    sql(database, s -> s.executeUpdate("UPDATE snapshot SET snapshot_ser_id = 987654" + ofBroken));

    Node node = TestNodes.start(settings, config);
    try {
      KvClient kv = new KvClient(node.httpPort());
      for (int i = 0; i < 8; i++) {
        assertUnreadable(kv.get("default", "broken"));
      }
      assertUnreadable(kv.put("default", "broken", "refused"));
      assertUnreadable(kv.delete("default", "broken"));
      for (int i = 0; i < 5; i++) {
        var cold = kv.get("default", "cold-" + i);
        assertEquals(200, cold.statusCode(), "cold-" + i + ": " + cold.body());
      }
      assertEquals(201, kv.put("default", "new", "v").statusCode());

      sql(database, s -> s.executeUpdate("UPDATE snapshot SET snapshot_ser_id = " + serializer + ofBroken));
      var mended = kv.get("default", "broken");
      assertEquals(200, mended.statusCode(), mended.body());
      assertEquals("v2", mended.body());
      assertEquals(3, KvClient.revision(mended));
    } finally {
      node.close();
    }
  }

  /** An event of a key that this build cannot read (a newer release's type, or altered bytes): as a snapshot. */
  @Test
  void aKeyWhoseEventCannotBeReadAnswers500(@TempDir Path dataDir) throws Exception {
    String database = TestPostgres.newDatabase();
    Map<Setting, Object> settings = TestNodes.settings(dataDir, TestPostgres.jdbcUrl(database), List.of());
    Config config = ConfigFactory.parseString("actorkv.request-timeout = 5s");
    Node first = TestNodes.start(settings, config);
    try {
      KvClient kv = new KvClient(first.httpPort());
      assertEquals(201, kv.put("default", "newer", "v1").statusCode());
      assertEquals(201, kv.put("default", "altered", "v1").statusCode());
    } finally {
      first.close();
    }
    sql(database, s -> s.executeUpdate("UPDATE event_journal SET event_ser_manifest = 'kv.from-the-future' "
        + "WHERE persistence_id = 'kv|default|newer'"));
    sql(database, s -> s.executeUpdate("UPDATE event_journal SET event_payload = '\\x00ff00ff'::bytea "
        + "WHERE persistence_id = 'kv|default|altered'"));

    Node node = TestNodes.start(settings, config);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertUnreadable(kv.get("default", "newer"));
      assertUnreadable(kv.put("default", "newer", "v2"));
      assertUnreadable(kv.get("default", "altered"));
      assertEquals(201, kv.put("default", "other", "v").statusCode());
      assertEquals(1, (int) sql(database, s -> {
        try (var rs = s.executeQuery("SELECT count(*) FROM event_journal WHERE persistence_id = 'kv|default|newer'")) {
          rs.next();
          return rs.getInt(1);
        }
      }));
    } finally {
      node.close();
    }
  }

  private static void assertUnreadable(HttpResponse<String> r) {
    assertEquals(500, r.statusCode(), r.body());
    assertEquals("value_unreadable", json(r).get("error").asText(), r.body());
    assertTrue(json(r).get("message").asText().endsWith("nothing was changed"), r.body());
  }

  private interface Sql<T> {
    T run(Statement s) throws Exception;
  }

  private static <T> T sql(String database, Sql<T> work) throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(database), "postgres", "postgres");
         Statement s = c.createStatement()) {
      return work.run(s);
    }
  }

  /**
   * A write the database refuses (a trigger here; a full disk in life) is
   * answered at once with 503 journal_unavailable and mayHaveApplied false:
   * it was rolled back. It used to wait out the request timeout and answer
   * 504, "may have applied".
   */
  @Test
  void aWriteTheDatabaseRefusesAnswers503AndSaysNothingChanged(@TempDir Path dataDir) throws Exception {
    String database = TestPostgres.newDatabase();
    Map<Setting, Object> settings = TestNodes.settings(dataDir, TestPostgres.jdbcUrl(database), List.of());
    Node node = TestNodes.start(settings, ConfigFactory.parseString("actorkv.request-timeout = 10s"));
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(database), "postgres", "postgres");
         Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file: "
          + "No space left on device' USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql");
      s.execute("CREATE TRIGGER refuse BEFORE INSERT ON event_journal FOR EACH ROW "
          + "WHEN (NEW.persistence_id = 'kv|default|refused') EXECUTE FUNCTION refuse()");
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "accepted", "v").statusCode());

      var refused = kv.put("default", "refused", "v");

      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("journal_unavailable", json(refused).get("error").asText());
      assertEquals(false, json(refused).get("mayHaveApplied").asBoolean(), refused.body());
      assertTrue(json(refused).get("message").asText().contains("SQLSTATE 53100"), refused.body());
      s.execute("DROP TRIGGER refuse ON event_journal");
      Await.assertEventually(Duration.ofSeconds(30), () -> assertEquals(404, kv.get("default", "refused").statusCode()));
      assertEquals(201, kv.put("default", "refused", "now").statusCode());
      assertEquals("v", kv.get("default", "accepted").body());
    } finally {
      node.close();
    }
  }

  @Test
  void aNodeThatIsNotAClusterMemberAnswers503WithRetryAfter(@TempDir Path dataDir) throws Exception {
    String nobody = "127.0.0.1:" + FreePorts.next();
    Node node = TestNodes.start(TestNodes.settings(dataDir, null, List.of(nobody)), ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      var r = kv.put("default", "k", "v");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("not_ready", json(r).get("error").asText());
      assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
      assertEquals(503, kv.get("default", "k").statusCode());
    } finally {
      node.close();
    }
  }
}
