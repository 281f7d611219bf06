package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A strong key's history, reads at past revisions and reverts, end to end
 * over HTTP, on the embedded H2 journal and on PostgreSQL: every revision as
 * the journal has it, with who, when, what and its link of the hash chain.
 */
class HistoryTest {

  @TempDir
  Path dataDir;

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void historyPastReadsAndRevertsOfValuesDeletesExpiriesAndCounters(String database) {
    String url = database.equals("h2") ? null : TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Node node = url == null ? TestNodes.single(dataDir) : TestNodes.single(dataDir, url);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "doc", "v1", "Content-Type", "text/plain").statusCode());
      assertEquals(200, kv.put("default", "doc", "v2", "Content-Type", "application/json", "If-Match", "\"1\"")
          .statusCode());
      assertEquals(204, kv.delete("default", "doc").statusCode());
      assertEquals(201, kv.send("PUT", "/v1/kv/default/doc?ttl=1ms", "v4").statusCode());
      Await.assertEventually(Duration.ofSeconds(10), () -> assertEquals("expire", operations(kv, "doc").get(0)));

      // Revisions: 1 put v1, 2 put v2, 3 delete, 4 put v4 (1 ms), 5 expire.
      assertEquals(List.of("expire", "put", "delete", "put", "put"), operations(kv, "doc"));
      JsonNode newest = history(kv, "/v1/history/default/doc").get("revisions");
      JsonNode first = newest.get(4);
      assertEquals(1, first.get("revision").asLong());
      assertEquals("anonymous", first.get("principal").asText());
      assertEquals("text/plain", first.get("contentType").asText());
      assertEquals(2, first.get("size").asInt());
      assertEquals(64, first.get("sha256").asText().length(), "SHA-256 in hex");
      assertTrue(newest.get(1).has("expires"));
      Set<String> links = new HashSet<>();
      newest.forEach(r -> links.add(r.get("hash").asText()));
      assertEquals(5, links.size(), "every revision has its own link of the chain");

      // Pages, both ways, cover every revision once.
      assertEquals(List.of(5L, 4L, 3L, 2L, 1L), revisions(kv, "/v1/history/default/doc?limit=2"));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), revisions(kv, "/v1/history/default/doc?limit=2&order=oldest"));

      // Reads at past revisions answer what a read answered then.
      HttpResponse<String> at1 = kv.send("GET", "/v1/kv/default/doc?revision=1", null);
      assertEquals(200, at1.statusCode());
      assertEquals("v1", at1.body());
      assertEquals(1, KvClient.revision(at1));
      assertEquals("text/plain", at1.headers().firstValue("Content-Type").orElseThrow());
      HttpResponse<String> at2 = kv.send("GET", "/v1/kv/default/doc?revision=2", null);
      assertEquals("v2", at2.body());
      assertEquals("application/json", at2.headers().firstValue("Content-Type").orElseThrow());
      assertError(kv.send("GET", "/v1/kv/default/doc?revision=3", null), 404, "key_not_found");
      HttpResponse<String> at4 = kv.send("GET", "/v1/kv/default/doc?revision=4", null);
      assertEquals("v4", at4.body());
      assertTrue(at4.headers().firstValue("X-KV-Expires").isPresent());
      assertError(kv.send("GET", "/v1/kv/default/doc?revision=6", null), 404, "revision_not_found");

      // Revert: a new revision with revision 2's value and content type, a write like any other.
      assertError(kv.send("POST", "/v1/kv/default/doc/revert?to=2", null, "If-Match", "\"4\""), 412,
          "precondition_failed");
      HttpResponse<String> reverted = kv.send("POST", "/v1/kv/default/doc/revert?to=2", null, "If-None-Match", "*");
      assertEquals(201, reverted.statusCode(), reverted.body());
      assertEquals(6, KvClient.revision(reverted));
      HttpResponse<String> now = kv.get("default", "doc");
      assertEquals("v2", now.body());
      assertEquals("application/json", now.headers().firstValue("Content-Type").orElseThrow());
      JsonNode revert = history(kv, "/v1/history/default/doc?limit=1").get("revisions").get(0);
      assertEquals("revert", revert.get("operation").asText());
      assertEquals(2, revert.get("from").asLong());
      assertError(kv.send("POST", "/v1/kv/default/doc/revert?to=3", null), 409, "nothing_to_revert_to");
      assertError(kv.send("POST", "/v1/kv/default/doc/revert?to=60", null), 404, "revision_not_found");

      // Counters: increments with their amounts; a revert to one is refused.
      kv.send("POST", "/v1/kv/default/visits/increment?by=5", null);
      kv.send("POST", "/v1/kv/default/visits/increment?by=-2", null);
      JsonNode counts = history(kv, "/v1/history/default/visits?order=oldest").get("revisions");
      assertEquals(5, counts.get(0).get("by").asLong());
      assertEquals(-2, counts.get(1).get("by").asLong());
      assertEquals("3", kv.send("GET", "/v1/kv/default/visits?revision=2", null).body());
      assertError(kv.send("POST", "/v1/kv/default/visits/revert?to=1", null), 409, "nothing_to_revert_to");

      // What cannot be answered.
      assertError(kv.send("GET", "/v1/history/default/never-written", null), 404, "key_not_found");
      assertError(kv.send("GET", "/v1/history/nope/doc", null), 404, "namespace_not_found");
      assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\"}").statusCode());
      assertError(kv.send("GET", "/v1/history/ev/doc", null), 400, "history_requires_strong");
      assertError(kv.send("GET", "/v1/kv/ev/doc?revision=1", null), 400, "history_requires_strong");
      for (String bad : List.of("?revision=0", "?revision=-1", "?revision=x", "?revision=99999999999999999999")) {
        assertError(kv.send("GET", "/v1/kv/default/doc" + bad, null), 400, "bad_revision");
      }
      assertError(kv.send("GET", "/v1/history/default/doc?limit=0", null), 400, "bad_limit");
      assertError(kv.send("GET", "/v1/history/default/doc?limit=1001", null), 400, "bad_limit");
      assertError(kv.send("GET", "/v1/history/default/doc?cursor=abc", null), 400, "bad_cursor");
      assertError(kv.send("GET", "/v1/history/default/doc?order=sideways", null), 400, "bad_order");
      assertError(kv.send("POST", "/v1/kv/default/doc/revert", null), 400, "bad_revision");
      assertEquals(6, KvClient.revision(kv.get("default", "doc")), "nothing above changed the key");
    } finally {
      node.close();
    }
  }

  private static JsonNode history(KvClient kv, String path) {
    HttpResponse<String> r = kv.send("GET", path, null);
    assertEquals(200, r.statusCode(), r.body());
    return json(r);
  }

  private static List<String> operations(KvClient kv, String key) {
    List<String> out = new ArrayList<>();
    history(kv, "/v1/history/default/" + key).get("revisions").forEach(r -> out.add(r.get("operation").asText()));
    return out;
  }

  /** Every revision, page by page. */
  private static List<Long> revisions(KvClient kv, String firstPage) {
    List<Long> out = new ArrayList<>();
    String page = firstPage;
    for (int pages = 0; pages < 10; pages++) {
      JsonNode body = history(kv, page);
      body.get("revisions").forEach(r -> out.add(r.get("revision").asLong()));
      if (!body.has("next")) return out;
      page = firstPage + "&cursor=" + body.get("next").asText();
    }
    throw new AssertionError("no end of pages: " + out);
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(code, json(r).get("error").asText(), r.body());
    assertFalse(r.body().isBlank());
  }
}
