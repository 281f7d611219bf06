package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/txn} on one node over a real connection: compares choose
 * the branch, a branch applies whole or not at all, each write gets its
 * key's next revision, bad input is refused with nothing applied, and
 * concurrent transfers on overlapping keys neither deadlock nor lose a unit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TxnTest {

  @TempDir
  static Path dataDir;
  private Node node;
  private KvClient kv;

  @BeforeAll
  void start() {
    node = TestNodes.single(dataDir);
    kv = new KvClient(node.httpPort());
    assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\",\"write\":\"local\"}").statusCode());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static String txn(List<String> compare, List<String> success, List<String> failure) {
    return "{\"compare\":" + list(compare) + ",\"success\":" + list(success) + ",\"failure\":" + list(failure) + "}";
  }

  private static String list(List<String> entries) {
    StringJoiner j = new StringJoiner(",", "[", "]");
    entries.forEach(j::add);
    return j.toString();
  }

  static String cmp(String key, String target, String op, String field, String value) {
    return "{\"namespace\":\"default\",\"key\":\"" + key + "\",\"target\":\"" + target + "\",\"op\":\"" + op
        + "\",\"" + field + "\":" + value + "}";
  }

  static String put(String key, String value) {
    return "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"" + key + "\",\"value\":\"" + value + "\"}";
  }

  static String get(String key) {
    return "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"" + key + "\"}";
  }

  static String inc(String key, long by) {
    return "{\"op\":\"increment\",\"namespace\":\"default\",\"key\":\"" + key + "\",\"by\":" + by + "}";
  }

  static String del(String key) {
    return "{\"op\":\"delete\",\"namespace\":\"default\",\"key\":\"" + key + "\"}";
  }

  private HttpResponse<String> send(String body) {
    return kv.send("POST", "/v1/txn", body, "Content-Type", "application/json");
  }

  private JsonNode done(String body) {
    HttpResponse<String> r = send(body);
    assertEquals(200, r.statusCode(), r.body());
    return json(r);
  }

  /**
   * A key's part of a transaction travels between nodes in one message each
   * way (its operations there; its value and what its gets answer back),
   * and Artery drops a message over its frame (2 MiB): such a transaction
   * was answered 504 after the deadline where the key lived on another
   * node, 200 where it lived here. It is refused alike on every node, and
   * nothing is written or left held.
   */
  @Test
  void refusesATransactionWhosePartOnOneKeyDoesNotFitAMessage() {
    String mb = "a".repeat(1_000_000);
    HttpResponse<String> puts = send(txn(List.of(), List.of(put("big", mb), put("big", mb), put("big", mb)),
        List.of()));
    assertTooLarge(puts);
    // What travels beside the values counts too: here 250 content types of 1,014 characters.
    List<String> typed = new ArrayList<>(List.of(put("big", mb), put("big", mb)));
    for (int i = 0; i < 250; i++) {
      typed.add("{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"big\",\"value\":\"\","
          + "\"contentType\":\"text/plain; x=" + "a".repeat(1000) + "\"}");
    }
    assertTooLarge(send(txn(List.of(), typed, List.of())));
    assertEquals(404, kv.get("default", "big").statusCode());

    assertEquals(201, kv.put("default", "big", mb).statusCode());
    assertTooLarge(send(txn(List.of(cmp("big", "exists", "=", "exists", "true")),
        List.of(get("big"), get("big"), put("big", "s")), List.of(get("big"), get("big"), del("big")))));
    assertTooLarge(send(txn(List.of(), List.of(get("big"), get("big")), List.of())));
    HttpResponse<String> held = kv.get("default", "big");
    assertEquals(200, held.statusCode(), held.body());
    assertEquals(1, KvClient.revision(held));
    assertEquals(200, kv.put("default", "big", "free").statusCode(), "the refused transaction left the key held");

    assertEquals(200, send(txn(List.of(), List.of(put("big", mb), get("big")), List.of())).statusCode());
  }

  /**
   * An idempotent transaction's results are kept in its claim, which may
   * live on another node: results of several large gets were kept whole,
   * and a send again from another node never got them (the claim's answer
   * outgrew a message: 504 for the whole window). Results past one
   * message are not kept; a send again answers the branch without them.
   */
  @Test
  void resultsTooLargeToKeepAreNotKeptForASendAgain() {
    String mb = "a".repeat(1_000_000);
    for (int i = 0; i < 3; i++) assertEquals(201, kv.put("default", "kept/" + i, mb).statusCode());
    String body = txn(List.of(), List.of(get("kept/0"), get("kept/1"), get("kept/2")), List.of());
    String[] headers = {"Content-Type", "application/json", "Idempotency-Key", "three-large-gets"};
    HttpResponse<String> first = kv.send("POST", "/v1/txn", body, headers);
    assertEquals(200, first.statusCode());
    assertEquals(3, json(first).get("results").size());
    HttpResponse<String> again = kv.send("POST", "/v1/txn", body, headers);
    assertEquals(200, again.statusCode());
    assertTrue(json(again).get("succeeded").asBoolean());
    assertEquals(0, json(again).get("results").size(), "kept");

    HttpResponse<String> small = kv.send("POST", "/v1/txn", txn(List.of(), List.of(put("kept/small", "s"),
        get("kept/small")), List.of()), "Content-Type", "application/json", "Idempotency-Key", "small");
    HttpResponse<String> smallAgain = kv.send("POST", "/v1/txn", txn(List.of(), List.of(put("kept/small", "s"),
        get("kept/small")), List.of()), "Content-Type", "application/json", "Idempotency-Key", "small");
    assertEquals(small.body(), smallAgain.body());
  }

  private static void assertTooLarge(HttpResponse<String> r) {
    assertEquals(400, r.statusCode(), r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
    assertEquals("transaction_too_large", json(r).get("error").asText());
  }

  @Test
  void appliesTheSuccessBranchWhenEveryCompareHolds() {
    kv.put("default", "s/a", "one");
    long revision = KvClient.revision(kv.get("default", "s/a"));
    JsonNode r = done(txn(List.of(cmp("s/a", "revision", "=", "revision", Long.toString(revision)),
            cmp("s/a", "value", "=", "value", "\"one\""), cmp("s/b", "exists", "=", "exists", "false")),
        List.of(put("s/a", "two"), put("s/b", "new"), get("s/a"), inc("s/n", 5), del("s/a"), get("s/a")),
        List.of(put("s/a", "never"))));
    assertTrue(r.get("succeeded").asBoolean());
    JsonNode results = r.get("results");
    assertEquals(6, results.size());
    assertEquals(revision + 1, results.get(0).get("revision").asLong());
    assertEquals(201, results.get(1).get("status").asInt());
    assertEquals(200, results.get(2).get("status").asInt());
    assertEquals("two", new String(java.util.Base64.getDecoder().decode(results.get(2).get("value").asText())));
    assertEquals(5, results.get(3).get("value").asLong());
    assertEquals(revision + 2, results.get(4).get("revision").asLong());
    assertEquals(404, results.get(5).get("status").asInt());
    assertEquals(404, kv.get("default", "s/a").statusCode());
    assertEquals("new", kv.get("default", "s/b").body());
    assertEquals("5", kv.get("default", "s/n").body());
  }

  @Test
  void appliesTheFailureBranchWhenACompareFails() {
    kv.put("default", "f/a", "x");
    JsonNode r = done(txn(List.of(cmp("f/a", "value", "=", "value", "\"y\"")),
        List.of(put("f/a", "from-success")), List.of(put("f/b", "from-failure"), get("f/a"))));
    assertFalse(r.get("succeeded").asBoolean());
    assertEquals(2, r.get("results").size());
    assertEquals("x", kv.get("default", "f/a").body());
    assertEquals("from-failure", kv.get("default", "f/b").body());
  }

  /** Each target with each operator, against a key holding "b" at revision 1, a counter at 7 and a missing key. */
  @Test
  void comparesEachTargetWithEachOperator() {
    kv.put("default", "c/v", "b");
    kv.send("POST", "/v1/kv/default/c%2Fn/increment?by=7", null);
    Object[][] cases = {
        {"c/v", "revision", "=", "revision", "1", true}, {"c/v", "revision", "!=", "revision", "1", false},
        {"c/v", "revision", "<", "revision", "2", true}, {"c/v", "revision", ">", "revision", "1", false},
        {"c/v", "value", "=", "value", "\"b\"", true}, {"c/v", "value", "<", "value", "\"c\"", true},
        {"c/v", "value", ">", "value", "\"a\"", true}, {"c/v", "value", "!=", "value", "\"b\"", false},
        {"c/v", "value", "=", "valueBase64", "\"Yg==\"", true},
        {"c/v", "exists", "=", "exists", "true", true}, {"c/none", "exists", "!=", "exists", "false", false},
        {"c/none", "revision", "=", "revision", "0", true}, {"c/none", "value", "!=", "value", "\"b\"", false},
        {"c/n", "counter", "=", "counter", "7", true}, {"c/n", "counter", ">", "counter", "6", true},
        {"c/n", "counter", "<", "counter", "7", false}, {"c/none", "counter", "=", "counter", "0", true},
        {"c/v", "counter", "=", "counter", "0", false}, {"c/n", "value", "=", "value", "\"7\"", false},
    };
    for (Object[] c : cases) {
      JsonNode r = done(txn(List.of(cmp((String) c[0], (String) c[1], (String) c[2], (String) c[3], (String) c[4])),
          List.of(), List.of()));
      assertEquals(c[5], r.get("succeeded").asBoolean(), java.util.Arrays.toString(c));
    }
  }

  @Test
  void anOperationThatCannotApplyRefusesTheWholeTransaction() {
    kv.put("default", "r/value", "not a counter");
    HttpResponse<String> r = send(txn(List.of(), List.of(put("r/other", "x"), inc("r/value", 1)), List.of()));
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("wrong_kind", json(r).get("error").asText());
    assertEquals(1, json(r).get("success").asInt());
    assertEquals(404, kv.get("default", "r/other").statusCode());
    assertEquals(1, KvClient.revision(kv.get("default", "r/value")));
  }

  @Test
  void aTransactionSentAgainWithItsIdempotencyKeyIsAppliedOnce() {
    String body = txn(List.of(), List.of(inc("idem/a", 1), inc("idem/b", -1)), List.of());
    HttpResponse<String> first = kv.send("POST", "/v1/txn", body, "Content-Type", "application/json",
        "Idempotency-Key", "transfer-1");
    HttpResponse<String> again = kv.send("POST", "/v1/txn", body, "Content-Type", "application/json",
        "Idempotency-Key", "transfer-1");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(first.body(), again.body());
    assertEquals("1", kv.get("default", "idem/a").body());
    assertEquals("-1", kv.get("default", "idem/b").body());
    HttpResponse<String> other = kv.send("POST", "/v1/txn", txn(List.of(), List.of(inc("idem/a", 5)), List.of()),
        "Content-Type", "application/json", "Idempotency-Key", "transfer-1");
    assertEquals(422, other.statusCode(), other.body());
    assertEquals("idempotency_key_reused", json(other).get("error").asText());
    assertEquals("1", kv.get("default", "idem/a").body());
  }

  @Test
  void badInputIsRefusedWithNothingApplied() {
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= 64; i++) tooMany.add(put("bad/" + i, "x"));
    String[][] bodies = {
        {txn(List.of(), tooMany, List.of()), "too_many_keys"},
        {txn(List.of(), List.of(put("bad/a", "x"),
            "{\"op\":\"put\",\"namespace\":\"ev\",\"key\":\"e\",\"value\":\"x\"}"), List.of()), "bad_txn"},
        {txn(List.of(cmp("bad/a", "revision", "~", "revision", "1")), List.of(put("bad/a", "x")), List.of()),
            "bad_compare"},
        {txn(List.of(cmp("bad/a", "colour", "=", "revision", "1")), List.of(put("bad/a", "x")), List.of()),
            "bad_compare"},
        {txn(List.of(cmp("bad/a", "exists", "<", "exists", "true")), List.of(put("bad/a", "x")), List.of()),
            "bad_compare"},
        {txn(List.of(cmp("bad/a", "revision", "=", "value", "\"1\"")), List.of(put("bad/a", "x")), List.of()),
            "bad_compare"},
        {txn(List.of(), List.of(put("bad/a", "x"), "{\"op\":\"put\",\"namespace\":\"default\",\"key\":\"bad/b\","
            + "\"value\":\"x\",\"ifMatch\":\"*\"}"), List.of()), "bad_operation"},
        {txn(List.of(), List.of(), List.of()), "bad_txn"},
        {"{\"compare\": 5}", "bad_txn"},
        {"not json", "bad_txn"},
    };
    for (String[] b : bodies) {
      HttpResponse<String> r = send(b[0]);
      assertEquals(400, r.statusCode(), r.body());
      assertEquals(b[1], json(r).get("error").asText(), r.body());
    }
    assertEquals(404, kv.get("default", "bad/a").statusCode());
    assertEquals(404, kv.get("default", "bad/0").statusCode());
  }

  /**
   * Transfers between four accounts from eight clients at once, every pair
   * overlapping: each answers 200, 409 key_locked, or on a loaded machine
   * 504 at its deadline (never hangs), and a transaction reading all
   * balances always sums to the total, as do the balances at the end.
   */
  @Test
  void concurrentTransfersOnOverlappingKeysNeitherDeadlockNorLoseUnits() throws Exception {
    List<String> accounts = List.of("bank/0", "bank/1", "bank/2", "bank/3");
    List<String> seed = accounts.stream().map(a -> inc(a, 100)).toList();
    done(txn(List.of(), seed, List.of()));
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> transfers = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int client = c;
        transfers.add(clients.submit(() -> {
          int committed = 0;
          for (int i = 0; i < 15; i++) {
            String from = accounts.get((client + i) % 4);
            String to = accounts.get((client + i + 1 + client % 3) % 4);
            if (from.equals(to)) continue;
            HttpResponse<String> r = send(txn(List.of(), List.of(inc(from, -3), inc(to, 3)), List.of()));
            if (r.statusCode() == 200) committed++;
            else if (r.statusCode() != 504) assertEquals("key_locked", json(r).get("error").asText(), r.body());
            HttpResponse<String> all = send(txn(List.of(), accounts.stream().map(TxnTest::get).toList(), List.of()));
            if (all.statusCode() == 200) {
              long sum = 0;
              for (JsonNode res : json(all).get("results")) {
                sum += Long.parseLong(new String(java.util.Base64.getDecoder().decode(res.get("value").asText())));
              }
              assertEquals(400, sum, all.body());
            }
          }
          return committed;
        }));
      }
      int committed = 0;
      for (Future<Integer> f : transfers) committed += f.get();
      assertTrue(committed > 0, "some transfers commit");
    } finally {
      clients.shutdownNow();
    }
    long total = 0;
    for (String a : accounts) total += Long.parseLong(kv.get("default", a).body());
    assertEquals(400, total);
  }
}
