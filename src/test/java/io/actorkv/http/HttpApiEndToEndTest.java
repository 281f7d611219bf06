package io.actorkv.http;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The v1 API over a real socket, against one node on the embedded H2 journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiEndToEndTest {

  static final int LIMIT = 1024 * 1024;

  Node node;
  KvClient kv;

  @BeforeAll
  void start(@TempDir Path dataDir) {
    node = TestNodes.single(dataDir);
    kv = new KvClient(node.httpPort());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(code, json(r).get("error").asText(), r.body());
    assertFalse(json(r).get("message").asText().isBlank());
  }

  @Test
  void putCreatesThenReplacesAndGetReturnsBytesWithHeaders() {
    var created = kv.put("default", "greeting", "hello", "Content-Type", "text/plain; charset=UTF-8");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("\"1\"", created.headers().firstValue("ETag").orElseThrow());
    assertEquals(1, json(created).get("revision").asLong());

    var replaced = kv.put("default", "greeting", "hello again", "Content-Type", "text/plain; charset=UTF-8");
    assertEquals(200, replaced.statusCode());
    assertEquals(2, KvClient.revision(replaced));

    var read = kv.get("default", "greeting");
    assertEquals(200, read.statusCode());
    assertEquals("hello again", read.body());
    assertEquals("text/plain; charset=UTF-8", read.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("\"2\"", read.headers().firstValue("ETag").orElseThrow());
    assertEquals("2", read.headers().firstValue("X-KV-Revision").orElseThrow());
    assertTrue(read.headers().firstValue("X-KV-Modified").isPresent());
    assertTrue(read.headers().firstValue("X-KV-Expires").isEmpty());
  }

  @Test
  void headAnswersLikeGetWithoutABody() {
    kv.put("default", "head-me", "12345");
    var head = kv.send("HEAD", "/v1/kv/default/head-me", null);
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
    assertEquals("\"1\"", head.headers().firstValue("ETag").orElseThrow());
    var absent = kv.send("HEAD", "/v1/kv/default/no-such-head", null);
    assertEquals(404, absent.statusCode());
  }

  @Test
  void deleteAnswers204ThenTheKeyIsGone() {
    kv.put("default", "doomed", "x");
    var deleted = kv.delete("default", "doomed");
    assertEquals(204, deleted.statusCode());
    assertEquals("2", deleted.headers().firstValue("X-KV-Revision").orElseThrow());
    assertError(kv.get("default", "doomed"), 404, "key_not_found");
    assertError(kv.delete("default", "doomed"), 404, "key_not_found");
    assertError(kv.delete("default", "never-written"), 404, "key_not_found");
  }

  @Test
  void preconditionsDecideWritesAndFailuresReport412WithTheCurrentRevision() {
    assertEquals(201, kv.put("default", "cas", "v1", "If-None-Match", "*").statusCode());
    var createAgain = kv.put("default", "cas", "v1b", "If-None-Match", "*");
    assertError(createAgain, 412, "precondition_failed");
    assertEquals(1, json(createAgain).get("revision").asLong());
    assertTrue(json(createAgain).get("exists").asBoolean());

    assertEquals(200, kv.put("default", "cas", "v2", "If-Match", "\"1\"").statusCode());
    var stale = kv.put("default", "cas", "v3", "If-Match", "\"1\"");
    assertError(stale, 412, "precondition_failed");
    assertEquals(2, json(stale).get("revision").asLong());
    assertEquals("v2", kv.get("default", "cas").body());

    assertError(kv.put("default", "cas-absent", "x", "If-Match", "*"), 412, "precondition_failed");
    assertEquals(200, kv.put("default", "cas", "v3", "If-Match", "*").statusCode());

    assertError(kv.delete("default", "cas", "If-Match", "\"2\""), 412, "precondition_failed");
    assertEquals(204, kv.delete("default", "cas", "If-Match", "\"3\"").statusCode());
  }

  @Test
  void malformedInputIs400AndChangesNothing() {
    kv.put("default", "stable", "keep");
    assertError(kv.put("default", "stable", "x", "If-Match", "3"), 400, "bad_precondition");
    assertError(kv.put("default", "stable", "x", "If-Match", "\"1\"", "If-None-Match", "*"), 400,
        "bad_precondition");
    assertError(kv.put("default", "stable", "x", "If-None-Match", "\"1\""), 400, "bad_precondition");
    assertError(kv.send("PUT", "/v1/kv/default/stable?ttl=soon", "x"), 400, "bad_ttl");
    assertError(kv.send("PUT", "/v1/kv/default/stable?ttl=0s", "x"), 400, "bad_ttl");
    assertError(kv.put("Not_Valid", "k", "x"), 400, "bad_namespace");
    assertError(kv.send("GET", "/v1/kv/default/%FF", null), 400, "bad_key");
    assertError(kv.send("GET", "/v1/kv/default/", null), 400, "bad_key");
    var read = kv.get("default", "stable");
    assertEquals("keep", read.body());
    assertEquals(1, KvClient.revision(read));
  }

  @Test
  void unknownNamespacesPathsAndMethodsAreJsonErrors() {
    assertError(kv.get("nope", "k"), 404, "namespace_not_found");
    assertError(kv.put("nope", "k", "v"), 404, "namespace_not_found");
    assertError(kv.send("GET", "/v1/nothing-here", null), 404, "not_found");
    assertError(kv.send("POST", "/v1/kv/default/k", null),
        405, "method_not_allowed");
    assertEquals("GET,PUT,DELETE",
        kv.send("PATCH", "/v1/kv/default/k", "x").headers().firstValue("Allow").orElseThrow().replace(" ", ""));
    assertEquals("GET,PUT,DELETE,POST",
        kv.send("PATCH", "/v1/kv/default/k/increment", "x").headers().firstValue("Allow").orElseThrow()
            .replace(" ", ""));
  }

  @Test
  void aRequestIdTheClientGivesComesBackAndEveryErrorCarriesOne() {
    var given = kv.put("default", "with-id", "v", "X-Request-Id", "order-7.retry-2");
    assertEquals("order-7.retry-2", given.headers().firstValue("X-Request-Id").orElseThrow());

    assertTrue(kv.get("default", "with-id").headers().firstValue("X-Request-Id").isEmpty(),
        "a success the client gave no id for carries none");
    var error = kv.get("default", "never-written");
    var made = error.headers().firstValue("X-Request-Id").orElseThrow();
    assertFalse(made.isBlank());
    assertFalse(made.equals(kv.get("default", "never-written").headers().firstValue("X-Request-Id").orElseThrow()),
        "ids are not reused");
    var unusable = kv.get("default", "never-written", "X-Request-Id", "has spaces and {braces}");
    assertFalse(unusable.headers().firstValue("X-Request-Id").orElseThrow().contains(" "));

    // Errors that no route's own handling makes: an unknown path, a method a path does not take.
    for (var other : List.of(kv.send("GET", "/v1/nothing-here", null, "X-Request-Id", "r-404"),
        kv.send("PATCH", "/v1/namespaces/x", "{}", "X-Request-Id", "r-405"))) {
      assertTrue(other.statusCode() >= 400, other.body());
      assertEquals("r-" + other.statusCode(), other.headers().firstValue("X-Request-Id").orElse(null),
          other.statusCode() + " " + other.body());
    }
    assertFalse(kv.send("GET", "/v1/nothing-here", null).headers().firstValue("X-Request-Id").orElseThrow()
        .isBlank());
  }

  @Test
  void keysAreAnyUtf8StringUpTo1024Bytes() {
    List<String> keys = List.of("a/b/c", "/leading", "trailing/", "100%", "%2F literally", "with space",
        "emoji 😀 ключ 键", "a".repeat(1024), "ü".repeat(512));
    for (String key : keys) {
      var put = kv.put("default", key, "value of " + key);
      assertEquals(201, put.statusCode(), key + ": " + put.body());
      assertEquals("value of " + key, kv.get("default", key).body(), key);
    }
    assertError(kv.put("default", "a".repeat(1025), "x"), 400, "bad_key");
    assertError(kv.put("default", "ü".repeat(512) + "a", "x"), 400, "bad_key");
    // A raw slash and an encoded one name the same key.
    assertEquals("value of a/b/c", kv.send("GET", "/v1/kv/default/a/b/c", null).body());
  }

  @Test
  void valuesUpToTheLimitAreStoredAndLargerOnesAre413WhileStreaming() {
    byte[] exact = new byte[LIMIT];
    exact[LIMIT - 1] = 7;
    var stored = kv.send(kv.request("/v1/kv/default/big").PUT(HttpRequest.BodyPublishers.ofByteArray(exact))
        .build());
    assertEquals(201, stored.statusCode(), stored.body());
    var read = kv.send(kv.request("/v1/kv/default/big").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(LIMIT, read.body().length);
    assertEquals(7, read.body()[LIMIT - 1]);

    byte[] over = new byte[LIMIT + 1];
    assertError(kv.send(kv.request("/v1/kv/default/big").PUT(HttpRequest.BodyPublishers.ofByteArray(over))
        .build()), 413, "value_too_large");
    // Chunked, so no Content-Length warns the server: the limit holds while the body streams in.
    assertError(kv.send(kv.request("/v1/kv/default/big").PUT(HttpRequest.BodyPublishers.ofInputStream(
        () -> new ByteArrayInputStream(over))).build()), 413, "value_too_large");
    assertEquals(1, KvClient.revision(kv.get("default", "big")));
  }

  @Test
  void ttlMakesAKeyExpire() {
    var put = kv.send("PUT", "/v1/kv/default/short-lived?ttl=300ms", "brief");
    assertEquals(201, put.statusCode());
    var ttlLong = kv.send("PUT", "/v1/kv/default/long-lived?ttl=1h", "lasting");
    assertEquals(201, ttlLong.statusCode());
    assertTrue(kv.get("default", "long-lived").headers().firstValue("X-KV-Expires").isPresent());

    Await.until(Duration.ofSeconds(20), () -> kv.get("default", "short-lived").statusCode() == 404);
    assertError(kv.get("default", "short-lived"), 404, "key_not_found");
    var recreated = kv.put("default", "short-lived", "again", "If-None-Match", "*");
    assertEquals(201, recreated.statusCode(), recreated.body());
  }

  @Test
  void namespacesCanBeCreatedListedShownAndRemovedWhenEmpty() {
    var created = kv.putNamespace("orders", "{\"mode\":\"strong\"}");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("strong", json(created).get("mode").asText());
    assertEquals(200, kv.putNamespace("orders", "{\"mode\":\"strong\"}")
        .statusCode());

    var list = json(kv.send("GET", "/v1/namespaces", null));
    List<String> names = new ArrayList<>();
    list.get("namespaces").forEach(n -> names.add(n.get("name").asText()));
    assertTrue(names.containsAll(List.of("default", "orders")), names.toString());
    assertEquals("orders", json(kv.send("GET", "/v1/namespaces/orders", null)).get("name").asText());

    assertEquals(201, kv.put("orders", "o-1", "{}").statusCode());
    assertError(kv.send("DELETE", "/v1/namespaces/orders", null), 409, "namespace_not_empty");
    assertEquals(204, kv.delete("orders", "o-1").statusCode());
    assertEquals(204, kv.send("DELETE", "/v1/namespaces/orders", null).statusCode());
    assertError(kv.send("GET", "/v1/namespaces/orders", null), 404, "namespace_not_found");
    assertError(kv.get("orders", "o-1"), 404, "namespace_not_found");
  }

  @Test
  void namespaceRequestsThatCannotBeHonouredAreClearErrors() {
    assertError(kv.putNamespace("default", "{\"mode\":\"eventual\"}"), 409,
        "namespace_exists");
    assertError(kv.putNamespace("cache", "{\"mode\":\"fast\"}"), 400,
        "bad_namespace_definition");
    assertError(kv.putNamespace("cache", "{not json"), 400,
        "bad_namespace_definition");
    assertError(kv.send("PUT", "/v1/namespaces/Bad!", "{}"), 400, "bad_namespace");
    assertError(kv.send("DELETE", "/v1/namespaces/default", null), 409, "namespace_built_in");
    assertError(kv.send("DELETE", "/v1/namespaces/missing", null), 404, "namespace_not_found");
  }

  @Test
  void clusterShowsThisNodeAsAnUpMember() {
    var cluster = json(kv.send("GET", "/v1/cluster", null));
    String self = cluster.get("self").asText();
    assertTrue(self.startsWith("pekko://actorkv@127.0.0.1:"), self);
    assertEquals(1, cluster.get("members").size());
    assertEquals("Up", cluster.get("members").get(0).get("status").asText());
    assertEquals(self, cluster.get("members").get(0).get("address").asText());
  }

  @Test
  void concurrentCompareAndSetHasExactlyOneWinnerPerRevision() throws Exception {
    kv.put("default", "contended", "start");
    int clients = 20;
    int attemptsEach = 15;
    Map<Long, String> winners = new ConcurrentHashMap<>();
    List<Long> doubleWins = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Integer>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      String me = "client-" + c;
      results.add(pool.submit(() -> {
        int wins = 0;
        for (int i = 0; i < attemptsEach; i++) {
          long seen = KvClient.revision(kv.get("default", "contended"));
          var r = kv.put("default", "contended", me + "#" + i, "If-Match", "\"" + seen + "\"");
          if (r.statusCode() == 200) {
            wins++;
            assertEquals(seen + 1, KvClient.revision(r));
            if (winners.putIfAbsent(KvClient.revision(r), me) != null) doubleWins.add(KvClient.revision(r));
          } else {
            assertEquals(412, r.statusCode(), r.body());
          }
        }
        return wins;
      }));
    }
    int total = 0;
    for (Future<Integer> f : results) total += f.get();
    pool.shutdown();
    assertTrue(doubleWins.isEmpty(), "two winners for revisions " + doubleWins);
    assertTrue(total >= attemptsEach, "each round has a winner, so at least " + attemptsEach + ": " + total);
    // Every revision from 2 on was won by exactly one client, none skipped.
    assertEquals(LongStream.rangeClosed(2, 1 + total).boxed().toList(),
        new ArrayList<>(new TreeMap<>(winners).keySet()));
    assertEquals(1 + total, KvClient.revision(kv.get("default", "contended")));
  }
}
