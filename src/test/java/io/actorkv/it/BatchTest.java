package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/batch} over a real connection: each operation's own result
 * in order, those on one key applied in the batch's order, a batch with
 * any bad operation refused whole, with nothing applied, and a full batch
 * that never overflows the journal's queue: the node here queues at most
 * 50 journal writes and hands batches' operations to the stores 16 at a
 * time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchTest {

  @TempDir
  static Path dataDir;
  private Node node;
  private KvClient kv;

  @BeforeAll
  void start() {
    node = TestNodes.start(TestNodes.settings(dataDir, null, List.of()), ConfigFactory.parseString(
        "actorkv-journal.buffer-size = 50\nactorkv.batch.max-in-flight = 16\nactorkv.batch.max-bytes = 1 MiB"));
    kv = new KvClient(node.httpPort());
    assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\",\"write\":\"local\"}").statusCode());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private HttpResponse<String> batch(String... operations) {
    StringJoiner ops = new StringJoiner(",", "{\"operations\":[", "]}");
    for (String o : operations) ops.add(o);
    return kv.send("POST", "/v1/batch", ops.toString(), "Content-Type", "application/json");
  }

  private static List<JsonNode> results(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    List<JsonNode> all = new java.util.ArrayList<>();
    json(r).get("results").forEach(all::add);
    return all;
  }

  @Test
  void answersEachOperationsOwnResultInOrder() {
    kv.put("default", "cas", "old");
    List<JsonNode> r = results(batch(
        "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"b/1\",\"value\":\"one\",\"ttl\":\"1h\"}",
        "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"b/1\"}",
        "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"b/1\",\"valueBase64\":\"AAE=\"}",
        "{\"op\":\"increment\",\"namespace\":\"default\",\"key\":\"b/1\",\"by\":2}",
        "{\"op\":\"delete\",\"namespace\":\"default\",\"key\":\"b/1\"}",
        "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"b/1\"}",
        "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"cas\",\"value\":\"new\",\"ifMatch\":\"\\\"7\\\"\"}",
        "{\"op\":\"increment\",\"namespace\":\"default\",\"key\":\"n\",\"by\":5}",
        "{\"op\":\"put\",\"namespace\":\"ev\",\"key\":\"e\",\"value\":\"x\"}",
        "{\"op\":\"get\",\"namespace\":\"ev\",\"key\":\"e\",\"r\":\"local\"}"));
    assertEquals(10, r.size());
    assertEquals(201, r.get(0).get("status").asInt());
    assertEquals(1, r.get(0).get("revision").asLong());
    assertEquals(200, r.get(1).get("status").asInt());
    assertEquals("one", new String(Base64.getDecoder().decode(r.get(1).get("value").asText()), StandardCharsets.UTF_8));
    assertEquals("text/plain; charset=UTF-8", r.get(1).get("contentType").asText());
    assertEquals(1, r.get(1).get("revision").asLong());
    assertFalse(r.get(1).path("expires").isMissingNode());
    assertEquals(2, r.get(2).get("revision").asLong());
    assertEquals(409, r.get(3).get("status").asInt());
    assertEquals("wrong_kind", r.get(3).get("error").asText());
    assertEquals(204, r.get(4).get("status").asInt());
    assertEquals(3, r.get(4).get("revision").asLong());
    assertEquals(404, r.get(5).get("status").asInt());
    assertEquals("key_not_found", r.get(5).get("error").asText());
    assertEquals(412, r.get(6).get("status").asInt());
    assertEquals(5, r.get(7).get("value").asLong());
    assertEquals(201, r.get(8).get("status").asInt());
    assertFalse(r.get(8).get("context").asText().isEmpty());
    assertEquals("eA==", r.get(9).get("value").asText());
    assertEquals("old", kv.get("default", "cas").body());
  }

  @Test
  void aFullBatchWaitsForRoomInTheJournalsQueue() {
    String[] puts = new String[1000];
    for (int i = 0; i < puts.length; i++) {
      puts[i] = "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"full/" + i + "\",\"value\":\"v\"}";
    }
    List<JsonNode> r = results(batch(puts));
    for (int i = 0; i < puts.length; i++) assertEquals(201, r.get(i).get("status").asInt(), "operation " + i);
  }

  @Test
  void aBadOperationRefusesTheWholeBatch() {
    String good = "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"never\",\"value\":\"x\"}";
    assertRefused(batch(good, "{\"op\":\"rename\",\"namespace\":\"default\",\"key\":\"k\"}"), 400, "bad_operation", 1);
    assertRefused(batch(good, good, "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"\",\"value\":\"x\"}"),
        400, "bad_key", 2);
    assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"k\"}"), 400, "bad_operation", 1);
    assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"k\",\"valueBase64\":\"!\"}"),
        400, "bad_operation", 1);
    assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"k\",\"value\":\"x\",\"ttl\":\"soon\"}"),
        400, "bad_ttl", 1);
    assertRefused(batch(good, "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"k\",\"by\":1}"),
        400, "bad_operation", 1);
    assertRefused(batch(good, "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"k\",\"r\":\"most\"}"),
        400, "bad_level", 1);
    // As a strong namespace's key refuses a level, an eventual one refuses compare-and-set: the whole batch.
    assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"ev\",\"key\":\"k\",\"value\":\"y\","
        + "\"ifMatch\":\"*\"}"), 400, "cas_requires_strong", 1);
    assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"ev\",\"key\":\"k\",\"value\":\"" + "x".repeat(70_000)
        + "\"}"), 413, "value_too_large", 1);
    HttpResponse<String> unknown = batch(good, "{\"op\":\"get\",\"namespace\":\"nosuch\",\"key\":\"k\"}");
    assertEquals(404, unknown.statusCode(), unknown.body());
    String[] many = new String[1001];
    java.util.Arrays.fill(many, good);
    assertRefused(batch(many), 400, "too_many_operations", -1);
    assertRefused(kv.send("POST", "/v1/batch", "{\"operations\":[", "Content-Type", "application/json"),
        400, "bad_batch", -1);
    assertRefused(kv.send("POST", "/v1/batch", "{\"operations\":[]}", "Content-Type", "application/json"),
        400, "bad_batch", -1);
    assertRefused(kv.send("POST", "/v1/batch", "{\"ops\":[]}", "Content-Type", "application/json"),
        400, "bad_batch", -1);
    assertEquals(404, kv.get("default", "never").statusCode(), "nothing was applied");
    assertEquals(405, kv.send("GET", "/v1/batch", null).statusCode());
  }

  /**
   * A content type in a body is stored as a PUT's header stores it, and is
   * refused where a header could not carry it: one past what the eventual
   * serializer writes was stored, kept every eventual replica of the node
   * from reaching LMDB, and made the key unreadable to clients that cap a
   * header's length.
   */
  @Test
  void aContentTypeIsStoredAsAPutStoresItAndOneNoHeaderCouldCarryIsRefused() {
    String good = "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"never-typed\",\"value\":\"x\"}";
    for (String ns : List.of("default", "ev")) {
      assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"" + ns + "\",\"key\":\"k\",\"value\":\"x\","
          + "\"contentType\":\"text/plain; x=" + "a".repeat(70_000) + "\"}"), 400, "bad_operation", 1);
    }
    for (String notAType : List.of("garbage", "text/plain\\n", "text/plain; charset=\\u0000")) {
      assertRefused(batch(good, "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"k\",\"value\":\"x\","
          + "\"contentType\":\"" + notAType + "\"}"), 400, "bad_operation", 1);
    }
    assertEquals(404, kv.get("default", "never-typed").statusCode(), "nothing was applied");
    HttpResponse<String> longHeader = kv.send("PUT", "/v1/kv/default/never-typed", "x",
        "Content-Type", "text/plain; x=" + "a".repeat(2000));
    assertEquals(400, longHeader.statusCode(), longHeader.body());
    assertEquals("bad_content_type", json(longHeader).get("error").asText());
    // A header Pekko cannot parse was dropped, and the value stored as application/octet-stream.
    for (String notAType : List.of("garbage", "text/plain; charset=\u00e9")) {
      HttpResponse<String> badHeader = kv.send("PUT", "/v1/kv/default/never-typed", "x", "Content-Type", notAType);
      assertEquals(400, badHeader.statusCode(), notAType + ": " + badHeader.body());
      assertEquals("bad_content_type", json(badHeader).get("error").asText());
    }
    assertEquals(404, kv.get("default", "never-typed").statusCode(), "nothing was stored");

    String type = "application/json; charset=utf-8";
    assertEquals(201, kv.put("default", "ct/put", "{}", "Content-Type", type).statusCode());
    results(batch("{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"ct/batch\",\"value\":\"{}\","
        + "\"contentType\":\"" + type + "\"}"));
    assertEquals(kv.get("default", "ct/put").headers().firstValue("Content-Type"),
        kv.get("default", "ct/batch").headers().firstValue("Content-Type"));
  }

  /**
   * The values of one answer take at most the body's limit (here 1 MiB):
   * past it a GET answers 413 in its result and the other operations still
   * apply. Before, a small batch of GETs of large values made an answer
   * many times the heap's free memory, and a few at once a 500.
   */
  @Test
  void theValuesOfOneAnswerTakeAtMostTheBodysLimit() {
    String big = "x".repeat(400_000);
    for (int i = 0; i < 3; i++) assertEquals(201, kv.put("default", "big/" + i, big).statusCode());
    String[] ops = new String[9];
    for (int i = 0; i < 8; i++) ops[i] = "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"big/" + (i % 3) + "\"}";
    ops[8] = "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"big/after\",\"value\":\"applied\"}";
    assertBudgetKept(results(batch(ops)).subList(0, 8));
    assertEquals("applied", kv.get("default", "big/after").body());

    StringJoiner gets = new StringJoiner(",");
    for (int i = 0; i < 8; i++) gets.add("{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"big/" + (i % 3) + "\"}");
    HttpResponse<String> txn = kv.send("POST", "/v1/txn", "{\"compare\":[],\"success\":[" + gets + "],\"failure\":[]}",
        "Content-Type", "application/json");
    assertEquals(200, txn.statusCode(), txn.body().substring(0, Math.min(300, txn.body().length())));
    List<JsonNode> inTxn = new java.util.ArrayList<>();
    json(txn).get("results").forEach(inTxn::add);
    assertBudgetKept(inTxn);
    assertEquals(200, inTxn.get(0).get("status").asInt(), "a transaction's results are taken in order");
    assertEquals(413, inTxn.get(7).get("status").asInt());
  }

  private static void assertBudgetKept(List<JsonNode> gets) {
    long chars = 0;
    int served = 0;
    for (JsonNode r : gets) {
      if (r.get("status").asInt() == 200) {
        chars += r.get("value").asText().length();
        served++;
      } else {
        assertEquals(413, r.get("status").asInt(), r.toString());
        assertEquals("response_too_large", r.get("error").asText());
      }
    }
    assertTrue(served >= 1 && served < gets.size(), served + " of " + gets.size() + " served");
    assertTrue(chars <= 1024 * 1024, chars + " characters of values");
  }

  /** An eventual counter's value in a result is base64, as every value there is, with its type. */
  @Test
  void anEventualCountersValueIsBase64LikeEveryValue() {
    assertEquals(200, kv.send("POST", "/v1/kv/ev/c1234/increment?by=1234", null).statusCode());
    JsonNode r = results(batch("{\"op\":\"get\",\"namespace\":\"ev\",\"key\":\"c1234\",\"r\":\"local\"}")).get(0);
    assertEquals(200, r.get("status").asInt(), r.toString());
    assertEquals("1234", new String(Base64.getDecoder().decode(r.get("value").asText()), StandardCharsets.UTF_8));
    assertTrue(r.get("contentType").asText().startsWith("text/plain"), r.toString());
  }

  private static void assertRefused(HttpResponse<String> r, int status, String code, int operation) {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(code, body.get("error").asText(), r.body());
    if (operation >= 0) assertEquals(operation, body.get("operation").asInt(), r.body());
  }
}
