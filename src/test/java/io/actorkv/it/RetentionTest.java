package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.audit.Audit;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import io.actorkv.testing.Watcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * History retention per namespace, on H2 and PostgreSQL: past the limit a
 * key's old events are gone from the journal (deleted by Pekko Persistence
 * behind a snapshot), reads, history and reverts of them answer 410, the
 * kept ones still answer, the chain still verifies, and the feed replays
 * only what is kept.
 */
class RetentionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void oldRevisionsAreDeletedAndAnswerGone(String database, @TempDir Path dir) throws Exception {
    String url = database.equals("h2") ? null : TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var settings = TestNodes.settings(dir, url, List.of());
    JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      HttpResponse<String> created = kv.putNamespace("short", "{\"mode\":\"strong\",\"history\":3}");
      assertEquals(201, created.statusCode(), created.body());
      assertEquals(3, json(created).get("history").asInt());
      assertEquals(201, kv.putNamespace("long", "").statusCode());
      for (int i = 1; i <= 10; i++) {
        assertTrue(kv.put("short", "doc", "v" + i).statusCode() < 300);
        assertTrue(kv.put("long", "doc", "v" + i).statusCode() < 300);
      }
      for (int i = 0; i < 10; i++) kv.send("POST", "/v1/kv/short/hits/increment", null);

      // Snapshots every 3 events; events 3 or more behind the latest snapshot (at 9) go: 1 to 6.
      Await.until(WAIT, () -> keptRevisions(db, "kv|short|doc").equals(List.of(7L, 8L, 9L, 10L)));
      assertEquals(10, keptRevisions(db, "kv|long|doc").size(), "a namespace without retention keeps all");

      assertEquals("v10", kv.get("short", "doc").body());
      assertEquals("v8", kv.send("GET", "/v1/kv/short/doc?revision=8", null).body());
      JsonNode gone = assertError(kv.send("GET", "/v1/kv/short/doc?revision=2", null), 410, "revision_compacted");
      assertEquals(7, gone.get("oldest").asLong());
      assertError(kv.send("POST", "/v1/kv/short/doc/revert?to=5", null), 410, "revision_compacted");
      assertEquals("v2", kv.send("GET", "/v1/kv/long/doc?revision=2", null).body());

      JsonNode history = json(kv.send("GET", "/v1/history/short/doc?limit=100", null));
      List<Long> revisions = new ArrayList<>();
      history.get("revisions").forEach(r -> revisions.add(r.get("revision").asLong()));
      assertEquals(List.of(10L, 9L, 8L, 7L), revisions);
      assertEquals(6, history.get("compactedThrough").asLong());
      assertFalse(history.has("next"));
      JsonNode pageGone = assertError(kv.send("GET", "/v1/history/short/doc?cursor=4", null), 410,
          "revision_compacted");
      assertEquals(3, pageGone.get("revision").asLong(), "the revision next to the cursor, not the page's far end");
      assertEquals(7, pageGone.get("oldest").asLong());

      // A counter's past counts need every increment since its start: those removed answer 410.
      assertEquals("10", kv.get("short", "hits").body());
      assertError(kv.send("GET", "/v1/kv/short/hits?revision=9", null), 410, "revision_compacted");

      // A revert to a kept revision is a write like any other.
      assertEquals(200, kv.send("POST", "/v1/kv/short/doc/revert?to=8", null).statusCode());
      assertEquals("v8", kv.get("short", "doc").body());

      // The feed replays only the kept events.
      try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/short?from=0&key=doc")) {
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L), w.next(5, WAIT).stream().map(Watcher.Event::revision).toList());
      }
    } finally {
      node.close();
    }
    // The chain still verifies: each compacted key is anchored at the marker Pekko leaves.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new Audit(db, Optional.empty(), new PrintStream(new ByteArrayOutputStream()), false)
        .verify(Optional.empty(), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(Audit.INTACT, code, out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("anchored"), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aBadRetentionIsRefusedAndCreatesNothing(@TempDir Path dir) {
    Node node = TestNodes.single(dir);
    try {
      KvClient kv = new KvClient(node.httpPort());
      for (String definition : List.of("{\"history\":0}", "{\"history\":-1}", "{\"history\":\"30d\"}",
          "{\"history\":\"some\"}", "{\"history\":2.5}", "{\"history\":true}",
          "{\"mode\":\"eventual\",\"history\":5}", "{\"history\":1000001}")) {
        assertError(kv.putNamespace("bad", definition), 400, "bad_namespace_definition");
        assertEquals(404, kv.send("GET", "/v1/namespaces/bad", null).statusCode(), definition);
      }
      HttpResponse<String> all = kv.putNamespace("everything", "{\"history\":\"all\"}");
      assertEquals(201, all.statusCode(), all.body());
      assertFalse(json(all).has("history"), "all is the default, shown by no limit");
    } finally {
      node.close();
    }
  }

  /** The revisions of the key the journal holds, not counting Pekko's marker of deleted events. */
  private static List<Long> keptRevisions(JournalDatabase db, String persistenceId) {
    List<Long> revisions = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement select = c.prepareStatement("SELECT "
        + db.name("sequence_number") + " FROM " + db.name("event_journal") + " WHERE " + db.name("persistence_id")
        + " = ? AND NOT " + db.name("deleted") + " ORDER BY " + db.name("sequence_number"))) {
      select.setString(1, persistenceId);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) revisions.add(rs.getLong(1));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return revisions;
  }

  private static JsonNode assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(code, body.get("error").asText(), r.body());
    return body;
  }
}
