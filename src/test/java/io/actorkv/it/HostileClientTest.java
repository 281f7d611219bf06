package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.RawHttp;
import io.actorkv.testing.RawHttp.Answer;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API against a hostile client, over real sockets (raw TCP where a
 * library would refuse to send the request). After every case the node
 * still answers a normal request promptly, nothing stored changed unless the
 * request was a valid write, and a refused request got a JSON error with a
 * 4xx status. Timeouts are short here so that slow clients are cut off in
 * seconds; the defaults are in docs/api.md, "Limits". The journal is
 * PostgreSQL, as on the embedded default and in clusters: its text
 * columns refuse U+0000, which H2 would store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientTest {

  /** How long the canary may take: a bound on liveness, far above a healthy node's answer. */
  static final Duration PROMPTLY = Duration.ofSeconds(10);

  Map<Setting, Object> settings;
  Node node;
  KvClient kv;
  int port;

  @BeforeAll
  void start(@TempDir Path dataDir) {
    settings = TestNodes.settings(dataDir, TestPostgres.jdbcUrl(TestPostgres.newDatabase()), List.of());
    node = startNode();
    assertEquals(201, kv.put("default", "canary", "alive").statusCode());
    assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\",\"conflicts\":\"siblings\",\"write\":\"local\"}")
        .statusCode());
  }

  private Node startNode() {
    Node started = TestNodes.start(settings, ConfigFactory.parseString("""
        actorkv.request-timeout = 2s
        actorkv.http.header-timeout = 1s
        actorkv.http.body-idle-timeout = 1s
        actorkv.http.body-timeout = 20s
        actorkv.http.max-connections = 64
        """));
    port = started.httpPort();
    kv = new KvClient(port);
    return started;
  }

  @AfterAll
  void stop() {
    node.close();
  }

  /** The property every case must leave behind: a normal request is answered promptly, and the canary is as it was. */
  @AfterEach
  void theNodeStillServesAndTheCanaryIsUntouched() throws Exception {
    HttpResponse<String> read = kv.sendAsync(kv.request("/v1/kv/default/canary").GET().build(),
        HttpResponse.BodyHandlers.ofString()).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("alive", read.body());
    assertEquals(1, KvClient.revision(read));
  }

  private static void assertJsonError(Answer a, int status, String code) {
    assertEquals(status, a.status(), a.body());
    assertTrue(a.header("Content-Type").startsWith("application/json"), a.headers().toString());
    assertEquals(code, a.json().get("error").asText(), a.body());
  }

  private static void assertJsonError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(code, json(r).get("error").asText(), r.body());
  }

  private void assertAbsent(String ns, String key) {
    assertEquals(404, kv.get(ns, key).statusCode(), ns + "/" + key);
  }

  private Answer raw(String request) {
    return RawHttp.exchange(port, request);
  }

  private static String put(String target, String body, String... headers) {
    StringBuilder r = new StringBuilder("PUT " + target + " HTTP/1.1\r\nHost: x\r\n");
    for (String h : headers) r.append(h).append("\r\n");
    return r.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body).toString();
  }

  // --- path ambiguity: namespace and key come from one view of the path, and a path that could mean two things is refused

  @ParameterizedTest
  @ValueSource(strings = {"/v1/kv/default/a/../../ev/probe", "/v1/kv/default/a/%2e%2E/%2E%2e/ev/probe",
      "/v1/kv/default/./probe", "/v1/kv/default/probe/.", "/v1/kv/./default/probe", "/v1/kv/default/a/%2e/probe"})
  void dotSegmentsAreRefusedAndStoreNothingAnywhere(String target) {
    assertJsonError(raw(put(target, "x")), 400, "bad_path");
    assertAbsent("ev", "probe");
    assertAbsent("default", "probe");
    assertAbsent("default", "a/../../ev/probe");
  }

  @Test
  void anAbsoluteFormTargetWithDotSegmentsIsRefusedToo() {
    String target = "http://127.0.0.1:" + port + "/v1/kv/default/a/../ev/probe";
    assertJsonError(raw("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: 1\r\n\r\nx"), 400,
        "bad_path");
    assertAbsent("ev", "probe");
  }

  @Test
  void dotsInsideAKeySegmentAreJustCharactersOfTheKey() {
    assertEquals(201, raw(put("/v1/kv/default/a%2F..%2Fb", "dots")).status());
    assertEquals("dots", kv.get("default", "a/../b").body());
  }

  /**
   * A percent-escape that is not UTF-8 names nothing: Pekko decoded %FF to
   * U+FFFD, so ?prefix=%FF deleted the keys under U+FFFD and a binding for
   * the subject %FF was made for U+FFFD. Valid escapes still work.
   */
  @Test
  void escapesThatAreNotUtf8AreRefusedInQueriesAndPathsAlike() {
    assertEquals(201, kv.put("default", "\uFFFDreplaced", "kept").statusCode());
    assertJsonError(raw("DELETE /v1/kv/default?prefix=%FF HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_encoding");
    assertJsonError(raw("GET /v1/kv/default?prefix=%C3%28 HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_encoding");
    assertJsonError(raw("GET /v1/history/default/k?cursor=%FF HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_encoding");
    assertEquals("kept", kv.get("default", "\uFFFDreplaced").body());
    assertJsonError(raw(put("/v1/auth/bindings/subject/%FF", "{\"roles\":[\"root\"]}")), 400, "bad_encoding");
    assertJsonError(raw("GET /v1/audit/default?principal=%E9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_encoding");
    Answer valid = raw("GET /v1/kv/default?prefix=%EF%BF%BD HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(200, valid.status(), valid.body());
    assertTrue(valid.body().contains("replaced"), valid.body());
  }

  @Test
  void theNamespaceIsReadFromThePathAsSentNotAsDecoded() {
    assertJsonError(raw(put("/v1/kv/def%61ult/k", "x")), 400, "bad_namespace");
    assertAbsent("default", "k");
    assertJsonError(kv.send("PUT", "/v1/namespaces/%61", "{\"mode\":\"strong\"}"), 400, "bad_namespace");
    assertEquals(404, kv.send("GET", "/v1/namespaces/a", null).statusCode());
    assertJsonError(kv.send("GET", "/v1/namespaces/def%61ult", null), 400, "bad_namespace");
    assertJsonError(kv.send("GET", "/v1/audit/def%61ult", null), 400, "bad_namespace");
    assertJsonError(kv.send("DELETE", "/v1/namespaces/%65v", null), 400, "bad_namespace");
    assertEquals(200, kv.send("GET", "/v1/namespaces/ev", null).statusCode());
  }

  // --- request framing

  @ParameterizedTest
  @ValueSource(strings = {"zz", "-5", "FFFFFFFFFFFFFFFFFFFF", "1;\u0000"})
  void aMalformedChunkedBodyIs400AndStoresNothing(String size) {
    Answer a = raw("PUT /v1/kv/default/chunky HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n" + size + "\r\nxyz\r\n0\r\n\r\n");
    assertJsonError(a, 400, "bad_body");
    assertAbsent("default", "chunky");
  }

  @Test
  void conflictingOrRepeatedLengthsAre400() {
    assertJsonError(raw("PUT /v1/kv/default/framed HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
        400, "bad_request");
    assertJsonError(raw("PUT /v1/kv/default/framed HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), 400, "bad_request");
    assertAbsent("default", "framed");
  }

  @Test
  void unknownMethodsAndProtocolVersionsAreJson4xxNot5xx() {
    assertJsonError(raw("BREW /v1/kv/default/k HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_request");
    assertJsonError(raw("GET /v1/kv/default/k HTTP/9.9\r\nHost: x\r\n\r\n"), 400, "bad_request");
    assertJsonError(raw("GET /v1/kv/default/k HTTP/1.1 extra\r\nHost: x\r\n\r\n"), 400, "bad_request");
  }

  @Test
  void oversizedHeadersManyHeadersAndLongUrisAreJson4xx() {
    Answer big = raw("GET /v1/kv/default/k HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertTrue(big.status() == 431 || big.status() == 400, big.body());
    assertTrue(big.header("Content-Type").startsWith("application/json"), big.body());
    StringBuilder many = new StringBuilder("GET /v1/kv/default/k HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 200; i++) many.append("X-H").append(i).append(": v\r\n");
    assertEquals(400, raw(many.append("\r\n").toString()).status());
    Answer uri = raw("GET /v1/kv/default/" + "k".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(414, uri.status(), uri.body());
    assertTrue(uri.header("Content-Type").startsWith("application/json"), uri.body());
  }

  // --- slow clients: receiving the body is the client's time, and what was not received was not applied

  @Test
  void aBodyShorterThanItsContentLengthIs408AndNothingWasApplied() {
    try (RawHttp http = new RawHttp(port)) {
      http.send("PUT /v1/kv/default/short-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
      Answer a = http.read();
      assertJsonError(a, 408, "body_timeout");
      assertFalse(a.json().get("mayHaveApplied").asBoolean());
    }
    assertAbsent("default", "short-body");
  }

  @Test
  void aSlowButSteadyUploadFinishesEvenPastTheRequestTimeout() throws Exception {
    int pieces = 12;
    try (RawHttp http = new RawHttp(port)) {
      http.send("PUT /v1/kv/default/steady HTTP/1.1\r\nHost: x\r\nContent-Length: " + pieces * 100 + "\r\n\r\n");
      for (int i = 0; i < pieces; i++) {
        http.send("x".repeat(100));
        Thread.sleep(250); // a steady client on a slow link: 12 pieces over 3 s, past the 2 s request timeout
      }
      assertEquals(201, http.read().status());
    }
    assertEquals(1200, kv.get("default", "steady").body().length());
  }

  @Test
  void aClientThatTricklesItsHeadersIsCutOffAndOthersAreServedMeanwhile() throws Exception {
    List<RawHttp> trickling = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        trickling.add(new RawHttp(port).send("GET /v1/kv/default/canary HTTP/1.1\r\nHost: x\r\nX-Slow: "));
      }
      for (int second = 0; second < 3; second++) {
        for (RawHttp t : trickling) {
          try {
            t.send("a");
          } catch (RuntimeException closed) {
            // cut off already
          }
        }
        theNodeStillServesAndTheCanaryIsUntouched();
        Thread.sleep(300); // one header byte per client every few hundred milliseconds
      }
      for (RawHttp t : trickling) assertTrue(t.timeout(PROMPTLY).closedByServer(), "a trickling client was not cut off");
    } finally {
      trickling.forEach(RawHttp::close);
    }
  }

  // --- connection floods

  @Test
  void moreIdleConnectionsThanTheLimitDoNotKeepOthersFromBeingServed() throws Exception {
    List<RawHttp> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 150; i++) idle.add(new RawHttp(port)); // the limit here is 64
      theNodeStillServesAndTheCanaryIsUntouched();
    } finally {
      idle.forEach(RawHttp::close);
    }
  }

  // --- values that are valid at write time but break later

  @Test
  void aKeyWrittenWithTheLongestTtlStaysReadableWritableAndDeletableAlsoAfterARestart() {
    for (String ns : List.of("default", "ev")) {
      assertEquals(201, kv.send("PUT", "/v1/kv/" + ns + "/century?ttl=36500d", "old").statusCode(), ns);
      assertEquals("old", kv.get(ns, "century").body());
    }
    assertEquals(201, kv.putNamespace("long-ttl", "{}").statusCode());
    assertEquals(201, kv.send("PUT", "/v1/kv/long-ttl/k?ttl=36500d", null).statusCode());
    assertEquals(204, kv.delete("long-ttl", "k").statusCode());
    assertEquals(204, kv.send("DELETE", "/v1/namespaces/long-ttl", null).statusCode());

    node.close();
    node = startNode();
    assertEquals("old", kv.get("default", "century").body());
    assertEquals(200, kv.put("default", "century", "new").statusCode());
    assertEquals(204, kv.delete("default", "century").statusCode());
  }

  @Test
  void theLongestNamespaceNameWithTheLongestKeyIsStoredAndRecoveredAcrossIncarnations() {
    String ns = "n" + "s".repeat(62);
    String key = "\uD83D\uDE00".repeat(256); // 1024 bytes of UTF-8
    for (int incarnation = 0; incarnation < 3; incarnation++) {
      assertEquals(201, kv.putNamespace(ns, "{}").statusCode());
      assertEquals(201, kv.put(ns, key, "v" + incarnation).statusCode());
      assertEquals(200, kv.put(ns, key, "w" + incarnation).statusCode());
      if (incarnation < 2) {
        assertEquals(204, kv.delete(ns, key).statusCode());
        assertEquals(204, kv.send("DELETE", "/v1/namespaces/" + ns, null).statusCode());
      }
    }
    node.close();
    node = startNode();
    var read = kv.get(ns, key);
    assertEquals("w2", read.body());
    assertEquals(2, KvClient.revision(read));
  }

  // --- forged client-held state

  @Test
  void contextsTheStoreDidNotIssueAre400AndReplaceNothing() {
    var first = kv.put("ev", "cart", "apple");
    String issued = KvClient.context(first);
    var other = kv.put("ev", "other-cart", "pear");
    String otherKeys = KvClient.context(other);
    byte[] tampered = Base64.getUrlDecoder().decode(issued);
    tampered[tampered.length / 2] ^= 1;
    List<String> forged = List.of(
        Base64.getUrlEncoder().withoutPadding().encodeToString(tampered),
        otherKeys,  // issued, but for another key
        "AQAAAAEAHnBla2tvOi8vYWN0b3Jrdkxob3N0OjI1NTIwAAAAAAAAAAEAAAABAAAAAH__________",
        issued + "AA",
        "");
    for (String context : forged) {
      assertJsonError(kv.put("ev", "cart", "forged", "X-KV-Context", context), 400, "bad_context");
      assertJsonError(kv.delete("ev", "cart", "X-KV-Context", context), 400, "bad_context");
    }
    var read = kv.get("ev", "cart");
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("apple", read.body());
    assertEquals(200, kv.put("ev", "cart", "apple,pear", "X-KV-Context", KvClient.context(read)).statusCode());
    assertEquals("apple,pear", kv.get("ev", "cart").body());
  }

  @Test
  void aContextIssuedInOneNamespaceIsRefusedInAnother() {
    assertEquals(201, kv.putNamespace("ev2", "{\"mode\":\"eventual\",\"conflicts\":\"siblings\",\"write\":\"local\"}")
        .statusCode());
    String fromEv = KvClient.context(kv.put("ev", "same-key", "a"));
    assertEquals(201, kv.put("ev2", "same-key", "b").statusCode());
    assertJsonError(kv.put("ev2", "same-key", "c", "X-KV-Context", fromEv), 400, "bad_context");
    assertEquals("b", kv.get("ev2", "same-key").body());
  }

  // --- ambiguous repeated headers and query parameters

  @Test
  void aQueryParameterGivenTwiceIs400() {
    assertJsonError(kv.send("PUT", "/v1/kv/default/twice?ttl=1s&ttl=1h", "x"), 400, "ambiguous_parameter");
    assertJsonError(kv.send("POST", "/v1/kv/default/twice-count/increment?by=1&by=2", null), 400, "ambiguous_parameter");
    assertJsonError(kv.send("GET", "/v1/kv/ev/twice?r=local&r=all", null), 400, "ambiguous_parameter");
    assertAbsent("default", "twice");
    assertAbsent("default", "twice-count");
  }

  @Test
  void aPreconditionOrContextHeaderGivenTwiceIs400() {
    assertEquals(201, kv.put("default", "guarded", "v").statusCode());
    assertJsonError(raw(put("/v1/kv/default/guarded", "w", "If-Match: \"1\"", "If-Match: \"2\"")), 400,
        "ambiguous_header");
    assertJsonError(raw(put("/v1/kv/default/guarded", "w", "If-None-Match: *", "If-None-Match: *")), 400,
        "ambiguous_header");
    assertJsonError(raw(put("/v1/kv/ev/guarded", "w", "X-KV-Context: a", "X-KV-Context: b")), 400,
        "ambiguous_header");
    assertEquals("v", kv.get("default", "guarded").body());
    assertEquals(1, KvClient.revision(kv.get("default", "guarded")));
  }

  // --- strict JSON bodies

  @ParameterizedTest
  @ValueSource(strings = {"null", "[]", "\"strong\"", "42", "{\"mode\":\"strong\"} trailing",
      "{\"mode\":\"strong\"}{\"mode\":\"eventual\"}", "{\"mode\":\"strong\",\"mode\":\"eventual\"}",
      "{\"mode\":\"eventual\",\"buckets\":\"7\"}", "{\"mode\":\"eventual\",\"buckets\":7.5}",
      "{\"mode\":\"eventual\",\"buckets\":1e400}", "{\"mode\":\"eventual\",\"buckets\":99999999999999999999}",
      "{\"mode\":\"eventual\",\"write\":3}", "{\"mode\":1}", "{\"mode\":\"eventual\",\"ttl\":\"0s\"}",
      "{\"mode\":\"eventual\",\"conflicts\":true}", "{\"mode\":\"strong\",\"x\":{}}", "{", "{\"mode\":\"strong\""})
  void aNamespaceDefinitionThatIsNotExactlyValidJsonIs400AndCreatesNothing(String body) {
    assertJsonError(kv.putNamespace("strict", body), 400, "bad_namespace_definition");
    assertEquals(404, kv.send("GET", "/v1/namespaces/strict", null).statusCode());
  }

  @Test
  void aDeeplyNestedOrInvalidUtf8DefinitionIs400() {
    assertJsonError(kv.putNamespace("strict", "[".repeat(5_000) + "]".repeat(5_000)), 400,
        "bad_namespace_definition");
    var invalid = kv.send(kv.request("/v1/namespaces/strict").PUT(HttpRequest.BodyPublishers.ofByteArray(
        new byte[] {'{', '"', 'm', (byte) 0xff, '"', ':', '1', '}'})).build());
    assertJsonError(invalid, 400, "bad_namespace_definition");
    assertEquals(404, kv.send("GET", "/v1/namespaces/strict", null).statusCode());
  }

  // --- what the journal's database cannot store, or a path cannot name

  private HttpResponse<String> post(String path, String json) {
    return kv.send("POST", path, json, "Content-Type", "application/json");
  }

  private static String batchPut(String key, String valueJson, String extra) {
    return "{\"operations\": [{\"op\": \"put\", \"namespace\": \"default\", \"key\": \"fine\", \"value\": \"x\"}, "
        + "{\"op\": \"put\", \"namespace\": \"default\", \"key\": " + key + ", \"value\": " + valueJson + extra
        + "}]}";
  }

  private static String txnPut(String key, String valueJson, String extra) {
    return "{\"success\": [{\"op\": \"put\", \"namespace\": \"default\", \"key\": " + key + ", \"value\": "
        + valueJson + extra + "}]}";
  }

  /**
   * A key with U+0000 is refused everywhere a key is given. A read of one
   * used to start an entity whose recovery PostgreSQL refused, over and
   * over; that tripped the journal's circuit breaker, and every key not
   * already in memory (and the namespace registry) answered 504 until the
   * node restarted.
   */
  @Test
  void aKeyWithNulIsRefusedAndEveryOtherKeyIsStillServed() {
    assertJsonError(kv.send("GET", "/v1/kv/default/%00", null), 400, "bad_key");
    assertJsonError(kv.send("PUT", "/v1/kv/default/a%00b", "x"), 400, "bad_key");
    assertJsonError(kv.send("GET", "/v1/kv/default/a%00b/history", null), 400, "bad_key");
    assertJsonError(post("/v1/batch", batchPut("\"\\u0000\"", "\"x\"", "")), 400, "bad_key");
    assertJsonError(post("/v1/txn", txnPut("\"k\\u0000\"", "\"x\"", "")), 400, "bad_key");
    assertJsonError(post("/v1/txn", "{\"compare\": [{\"namespace\": \"default\", \"key\": \"\\u0000\", "
        + "\"target\": \"exists\", \"op\": \"=\", \"exists\": true}], \"success\": []}"), 400, "bad_key");
    assertJsonError(kv.send("GET", "/v1/audit/default?key=%00", null), 400, "bad_key");
    assertJsonError(kv.send("GET", "/v1/audit/default?prefix=a%00", null), 400, "bad_key");
    assertJsonError(kv.send("PUT", "/v1/kv/ev/%00", "x"), 400, "bad_key");

    assertEquals(201, kv.put("default", "cold-after-nul", "x").statusCode()); // a key not yet in memory
    assertEquals(201, kv.putNamespace("after-nul", "{\"mode\":\"strong\"}").statusCode());
    assertAbsent("default", "fine");
  }

  /** Batch and transaction fields that become columns are held to what a header or the database can carry. */
  @Test
  void aContentTypeWithAControlCharacterIsRefusedWithTheWholeBatch() {
    for (String contentType : List.of("text/plain\\u0000x", "text/plain\\r\\nX-Evil: 1", "\\u0007")) {
      String extra = ", \"contentType\": \"" + contentType + "\"";
      assertJsonError(post("/v1/batch", batchPut("\"typed\"", "\"x\"", extra)), 400, "bad_operation");
      assertJsonError(post("/v1/txn", txnPut("\"typed\"", "\"x\"", extra)), 400, "bad_operation");
    }
    assertAbsent("default", "typed");
    assertAbsent("default", "fine");
  }

  /** JSON can carry a lone surrogate, which has no UTF-8: it used to be stored as '?'. */
  @Test
  void aValueThatIsNotUnicodeIsRefusedNotAltered() {
    assertJsonError(post("/v1/batch", batchPut("\"lone\"", "\"a\\ud800b\"", "")), 400, "bad_operation");
    assertJsonError(post("/v1/txn", txnPut("\"lone\"", "\"\\udc00\"", "")), 400, "bad_operation");
    assertJsonError(post("/v1/txn", "{\"compare\": [{\"namespace\": \"default\", \"key\": \"lone\", "
        + "\"target\": \"value\", \"op\": \"=\", \"value\": \"\\ud800\"}], \"success\": []}"), 400, "bad_compare");
    assertAbsent("default", "lone");
    assertAbsent("default", "fine");
  }

  /** No request path can name the keys "." and "..", so a body cannot create them either. */
  @ParameterizedTest
  @ValueSource(strings = {".", ".."})
  void dotKeysAreRefusedInBodiesAsInPaths(String key) {
    assertJsonError(post("/v1/batch", batchPut("\"" + key + "\"", "\"x\"", "")), 400, "bad_key");
    assertJsonError(post("/v1/txn", txnPut("\"" + key + "\"", "\"x\"", "")), 400, "bad_key");
    assertAbsent("default", "fine");
    assertEquals(List.of(), ListingTest.keys(ListingTest.ok(kv.send("GET", "/v1/kv/default?prefix=.", null))));
  }

  /** An explicit null is refused as docs/api.md says, not taken for an absent field (an increment by 1, say). */
  @Test
  void anExplicitNullInABodyIsRefusedNotTakenForAbsent() {
    assertJsonError(post("/v1/batch", "{\"operations\": [{\"op\": \"increment\", \"namespace\": \"default\", "
        + "\"key\": \"nulled\", \"by\": null}]}"), 400, "bad_batch");
    assertJsonError(post("/v1/batch", batchPut("\"nulled\"", "\"x\"", ", \"valueBase64\": null")), 400, "bad_batch");
    assertJsonError(post("/v1/txn", txnPut("\"nulled\"", "\"x\"", ", \"ttl\": null")), 400, "bad_txn");
    assertJsonError(kv.putNamespace("nulled", "{\"mode\": null}"), 400, "bad_namespace_definition");
    assertJsonError(kv.putNamespace("nulled", "{\"mode\": \"eventual\", \"history\": null}"), 400,
        "bad_namespace_definition");
    assertEquals(404, kv.send("GET", "/v1/namespaces/nulled", null).statusCode());
    assertAbsent("default", "nulled");
    assertAbsent("default", "fine");
  }

  /** A level or context on a strong namespace's key refuses the batch whole, as any bad operation does. */
  @Test
  void aLevelOrContextForAStrongKeyRefusesTheWholeBatch() {
    assertJsonError(post("/v1/batch", batchPut("\"leveled\"", "\"x\"", ", \"w\": \"majority\"")), 400, "bad_level");
    assertJsonError(post("/v1/batch", batchPut("\"leveled\"", "\"x\"", ", \"context\": \"abc\"")), 400,
        "bad_context");
    assertJsonError(post("/v1/batch", "{\"operations\": [{\"op\": \"put\", \"namespace\": \"default\", \"key\": "
        + "\"fine\", \"value\": \"x\"}, {\"op\": \"get\", \"namespace\": \"default\", \"key\": \"leveled\", "
        + "\"r\": \"all\"}]}"), 400, "bad_level");
    assertAbsent("default", "leveled");
    assertAbsent("default", "fine");
  }

  /** ?by= is ASCII digits with an optional '-', as every number of the API: no '+', no digits of other scripts. */
  @ParameterizedTest
  @ValueSource(strings = {"%2B5", "%EF%BC%91", "%D9%A1", "1%C2%A0", "0x10", "", "-"})
  void anIncrementByAnythingButAsciiDigitsIs400(String by) {
    assertJsonError(kv.send("POST", "/v1/kv/default/counted/increment?by=" + by, null), 400, "bad_increment");
    assertAbsent("default", "counted");
  }

  /** An empty prefix or start names every key; a client whose variable was empty must not wipe the namespace. */
  @ParameterizedTest
  @ValueSource(strings = {"prefix=", "start=", "start=&limit=5"})
  void aRangeDeleteWithAnEmptyRangeDeletesNothing(String range) {
    String key = "survivor-" + range;
    assertEquals(201, kv.put("default", key, "x").statusCode());
    assertJsonError(kv.send("DELETE", "/v1/kv/default?" + range, null), 400, "bad_range");
    assertEquals(200, kv.get("default", key).statusCode());
  }

  // --- counters: overflow is about the value, not the path taken

  @Test
  void anEventualCounterTakesEveryIncrementWhoseResultFitsIn64Bits() {
    for (String ns : List.of("default", "ev")) {
      String path = "/v1/kv/" + ns + "/big/increment?by=";
      assertEquals(Long.MAX_VALUE, json(kv.send("POST", path + Long.MAX_VALUE, null)).get("value").asLong(), ns);
      assertEquals(Long.MAX_VALUE - 10, json(kv.send("POST", path + "-10", null)).get("value").asLong(), ns);
      assertJsonError(kv.send("POST", path + "11", null), 409, "counter_overflow");
      assertEquals(-10, json(kv.send("POST", path + "-" + Long.MAX_VALUE, null)).get("value").asLong(), ns);
      assertEquals(Long.MIN_VALUE, json(kv.send("POST", path + (Long.MIN_VALUE + 10), null)).get("value").asLong(), ns);
      assertJsonError(kv.send("POST", path + "-1", null), 409, "counter_overflow");
      assertEquals(0, json(kv.send("POST", path + Long.MAX_VALUE, null)).get("value").asLong() + 1, ns);
      assertEquals(1, json(kv.send("POST", path + "2", null)).get("value").asLong(), ns);
    }
  }
}
