package io.actorkv.http;

import static io.actorkv.http.HttpApiEndToEndTest.assertError;
import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.RawHttp;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Idempotency-Key} over a real socket, on one node with the embedded
 * H2 journal: a repeat answers the first outcome and applies nothing, also
 * after the node restarted from its journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeyTest {

  private static final String KEY_HEADER = "Idempotency-Key";

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

  @Test
  void aRepeatedPutAnswersTheFirstOutcomeAndIsStoredOnce() {
    String key = UUID.randomUUID().toString();
    var first = kv.put("default", "idem/put", "one", KEY_HEADER, key);
    kv.put("default", "idem/put", "two");

    var repeat = kv.put("default", "idem/put", "one", KEY_HEADER, key);

    assertEquals(201, first.statusCode(), first.body());
    assertSameAnswer(first, repeat);
    assertEquals("two", kv.get("default", "idem/put").body());
    assertEquals(2, json(kv.send("GET", "/v1/history/default/idem%2Fput", null)).get("revisions").size());
  }

  @Test
  void aKeySentWithAnotherBodyAnswers422AndWritesNothing() {
    String key = UUID.randomUUID().toString();
    kv.put("default", "idem/reused", "one", KEY_HEADER, key);

    var other = kv.put("default", "idem/reused", "other", KEY_HEADER, key);
    var otherType = kv.put("default", "idem/reused", "one", KEY_HEADER, key, "Content-Type", "text/plain");

    assertError(other, 422, "idempotency_key_reused");
    assertError(otherType, 422, "idempotency_key_reused");
    assertEquals("one", kv.get("default", "idem/reused").body());
    assertEquals(1, KvClient.revision(kv.get("default", "idem/reused")));
  }

  @Test
  void aRepeatedIncrementCountsOnceAndAnswersItsOwnValue() {
    String key = UUID.randomUUID().toString();
    var first = kv.send("POST", "/v1/kv/default/idem-counter/increment?by=5", null, KEY_HEADER, key);
    kv.send("POST", "/v1/kv/default/idem-counter/increment?by=2", null);

    var repeat = kv.send("POST", "/v1/kv/default/idem-counter/increment?by=5", null, KEY_HEADER, key);
    var otherBy = kv.send("POST", "/v1/kv/default/idem-counter/increment?by=6", null, KEY_HEADER, key);

    assertSameAnswer(first, repeat);
    assertEquals(5, json(repeat).get("value").asLong());
    assertError(otherBy, 422, "idempotency_key_reused");
    assertEquals("7", kv.get("default", "idem-counter").body());
  }

  @Test
  void aRepeatedDeleteOrRevertAnswersTheFirstOutcome() {
    kv.put("default", "idem-del", "v1");
    kv.put("default", "idem-del", "v2");
    String revertKey = UUID.randomUUID().toString();
    var reverted = kv.send("POST", "/v1/kv/default/idem-del/revert?to=1", null, KEY_HEADER, revertKey);
    String deleteKey = UUID.randomUUID().toString();
    var deleted = kv.delete("default", "idem-del", KEY_HEADER, deleteKey);
    kv.put("default", "idem-del", "v5");

    var revertAgain = kv.send("POST", "/v1/kv/default/idem-del/revert?to=1", null, KEY_HEADER, revertKey);
    var deleteAgain = kv.delete("default", "idem-del", KEY_HEADER, deleteKey);

    assertEquals(200, reverted.statusCode(), reverted.body());
    assertSameAnswer(reverted, revertAgain);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertSameAnswer(deleted, deleteAgain);
    assertEquals("4", deleteAgain.headers().firstValue("X-KV-Revision").orElseThrow());
    assertEquals("v5", kv.get("default", "idem-del").body());
  }

  @Test
  void aFailedPreconditionIsNotRememberedSoItsRetryIsDecidedAgain() {
    String key = UUID.randomUUID().toString();
    var failed = kv.put("default", "idem-cas", "v", KEY_HEADER, key, "If-Match", "*");
    kv.put("default", "idem-cas", "first");

    var retry = kv.put("default", "idem-cas", "v", KEY_HEADER, key, "If-Match", "*");

    assertError(failed, 412, "precondition_failed");
    assertEquals(200, retry.statusCode(), retry.body());
    assertEquals("v", kv.get("default", "idem-cas").body());
  }

  @Test
  void malformedOrOverlongKeysAnswer400AndApplyNothing() {
    for (String bad : List.of("", "has space", "x".repeat(256), "tab\there")) {
      var r = kv.put("default", "idem-bad", "v", KEY_HEADER, bad);
      assertError(r, 400, "bad_idempotency_key");
      var inc = kv.send("POST", "/v1/kv/default/idem-bad-counter/increment", null, KEY_HEADER, bad);
      assertError(inc, 400, "bad_idempotency_key");
    }
    var nonAscii = RawHttp.exchange(node.httpPort(), "PUT /v1/kv/default/idem-bad HTTP/1.1\r\nHost: x\r\n"
        + "Idempotency-Key: caf\u00e9\r\nContent-Length: 1\r\nConnection: close\r\n\r\nv");
    assertEquals(400, nonAscii.status(), nonAscii.body());
    assertEquals("bad_idempotency_key", nonAscii.json().get("error").asText());
    var twice = kv.put("default", "idem-bad", "v", KEY_HEADER, "a", KEY_HEADER, "b");
    assertError(twice, 400, "ambiguous_header");
    assertEquals(201, kv.put("default", "idem-bad", "v", KEY_HEADER, "x".repeat(255)).statusCode());
    assertEquals(1, KvClient.revision(kv.get("default", "idem-bad")));
    assertEquals(404, kv.get("default", "idem-bad-counter").statusCode());
  }

  @Test
  void eventualNamespacesRefuseIdempotencyKeysAndWriteNothing() {
    assertEquals(201, kv.putNamespace("idem-eventual", "{\"mode\":\"eventual\"}").statusCode());

    var put = kv.put("idem-eventual", "k", "v", KEY_HEADER, "k1");
    var inc = kv.send("POST", "/v1/kv/idem-eventual/c/increment", null, KEY_HEADER, "k2");
    var delete = kv.delete("idem-eventual", "k", KEY_HEADER, "k3");

    assertError(put, 400, "idempotency_not_supported");
    assertError(inc, 400, "idempotency_not_supported");
    assertError(delete, 400, "idempotency_not_supported");
    assertEquals(404, kv.get("idem-eventual", "k").statusCode());
    assertEquals(404, kv.get("idem-eventual", "c").statusCode());
  }

  /**
   * Writes of several keys that keep no idempotency key refuse one rather
   * than ignore it: a retried batch applied twice while its client
   * believed it safe.
   */
  @Test
  void writesThatKeepNoIdempotencyKeyRefuseOneAndApplyNothing() {
    String batch = "{\"operations\":[{\"op\":\"increment\",\"namespace\":\"default\",\"key\":\"batched\"}]}";
    assertError(kv.send("POST", "/v1/batch", batch, KEY_HEADER, "b1", "Content-Type", "application/json"), 400,
        "idempotency_not_supported");
    assertEquals(404, kv.get("default", "batched").statusCode());
    assertEquals(201, kv.put("default", "ranged/1", "v").statusCode());
    assertError(kv.send("DELETE", "/v1/kv/default?prefix=ranged/", null, KEY_HEADER, "r1"), 400,
        "idempotency_not_supported");
    assertEquals(200, kv.get("default", "ranged/1").statusCode());
    // Writes that repeat to the same end ignore it, as reads do: a client may send one with every write.
    assertEquals(201, kv.send("PUT", "/v1/namespaces/idem-ns", "{}", KEY_HEADER, "n1").statusCode());
    assertEquals(200, kv.send("GET", "/v1/namespaces", null, KEY_HEADER, "reads-ignore-it").statusCode());
  }

  @Test
  void aRepeatAfterTheNodeRestartedFromItsJournalAnswersTheFirstOutcome(@TempDir Path otherDir) {
    Node first = TestNodes.single(otherDir);
    HttpResponse<String> put;
    HttpResponse<String> inc;
    try {
      KvClient client = new KvClient(first.httpPort());
      put = client.put("default", "survivor", "v1", KEY_HEADER, "put-1");
      inc = client.send("POST", "/v1/kv/default/survivor-count/increment", null, KEY_HEADER, "inc-1");
      client.put("default", "survivor", "v2");
    } finally {
      TestNodes.crash(first);
      first.close();
    }
    Node again = TestNodes.single(otherDir);
    try {
      KvClient client = new KvClient(again.httpPort());

      var putAgain = client.put("default", "survivor", "v1", KEY_HEADER, "put-1");
      var incAgain = client.send("POST", "/v1/kv/default/survivor-count/increment", null, KEY_HEADER, "inc-1");

      assertSameAnswer(put, putAgain);
      assertSameAnswer(inc, incAgain);
      assertEquals("v2", client.get("default", "survivor").body());
      assertEquals("1", client.get("default", "survivor-count").body());
    } finally {
      again.close();
    }
  }

  /** The same status, revision and body: the answer the first request got (or would have). */
  private static void assertSameAnswer(HttpResponse<String> first, HttpResponse<String> repeat) {
    assertEquals(first.statusCode(), repeat.statusCode(), repeat.body());
    assertEquals(first.body(), repeat.body());
    assertEquals(first.headers().firstValue("ETag"), repeat.headers().firstValue("ETag"));
    assertEquals(first.headers().firstValue("X-KV-Revision"), repeat.headers().firstValue("X-KV-Revision"));
  }
}
