package io.actorkv.http;

import static io.actorkv.http.HttpApiEndToEndTest.assertError;
import static io.actorkv.testing.KvClient.context;
import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.LocalReplica;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Eventual namespaces through the v1 API over a real socket, on one node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventualHttpEndToEndTest {

  Node node;
  KvClient kv;

  @BeforeAll
  void start(@TempDir Path dataDir) {
    node = TestNodes.start(TestNodes.settings(dataDir, null, List.of()), ConfigFactory.parseString("""
        actorkv.eventual.purge-interval = 200ms
        actorkv.eventual.tombstone-grace = 1ms
        """));
    kv = new KvClient(node.httpPort());
    createNamespace("lww", "{\"mode\":\"eventual\"}");
    createNamespace("sib", "{\"mode\":\"eventual\",\"conflicts\":\"siblings\",\"write\":\"local\"}");
    createNamespace("short", "{\"mode\":\"eventual\",\"ttl\":\"300ms\"}");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private HttpResponse<String> createNamespace(String name, String definition) {
    var r = kv.putNamespace(name, definition);
    assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
    return r;
  }

  @Test
  void anEventualNamespaceShowsItsDefinitionWithDefaultsAndNeverChanges() {
    var created = createNamespace("carts", "{\"mode\":\"eventual\",\"ttl\":\"30m\"}");
    assertEquals(201, created.statusCode());
    JsonNode shown = json(kv.send("GET", "/v1/namespaces/carts", null));
    assertEquals("eventual", shown.get("mode").asText());
    assertEquals("lww", shown.get("conflicts").asText());
    assertEquals("majority", shown.get("write").asText());
    assertEquals("local", shown.get("read").asText());
    assertEquals("30m", shown.get("ttl").asText());
    assertEquals(128, shown.get("buckets").asInt());

    assertEquals(200, createNamespace("carts", "{\"mode\":\"eventual\",\"ttl\":\"30m\"}").statusCode());
    var changed = kv.putNamespace("carts", "{\"mode\":\"strong\"}");
    assertError(changed, 409, "namespace_exists");
    assertEquals("eventual", json(changed).get("existing").get("mode").asText());
  }

  @Test
  void badEventualDefinitionsAreRefused() {
    for (String bad : List.of(
        "{\"mode\":\"eventual\",\"conflicts\":\"newest\"}",
        "{\"mode\":\"eventual\",\"write\":\"most\"}",
        "{\"mode\":\"eventual\",\"read\":\"0\"}",
        "{\"mode\":\"eventual\",\"ttl\":\"5 years\"}",
        "{\"mode\":\"eventual\",\"buckets\":0}",
        "{\"mode\":\"eventual\",\"buckets\":100000}",
        "{\"mode\":\"strong\",\"conflicts\":\"lww\"}")) {
      assertError(kv.putNamespace("bad", bad), 400, "bad_namespace_definition");
    }
    assertError(kv.send("GET", "/v1/namespaces/bad", null), 404, "namespace_not_found");
  }

  @Test
  void concurrentValuesInASiblingsNamespaceComeBackAs300AndAWriteWithTheContextResolvesThem() {
    assertEquals(201, kv.put("sib", "cart", "apple", "Content-Type", "text/plain").statusCode());
    assertEquals(200, kv.put("sib", "cart", "pear", "Content-Type", "text/plain").statusCode(),
        "without a context the second value is concurrent with the first");

    var both = kv.get("sib", "cart");
    assertEquals(300, both.statusCode(), both.body());
    JsonNode body = json(both);
    assertEquals(context(both), body.get("context").asText());
    Set<String> values = new TreeSet<>();
    body.get("siblings").forEach(s -> {
      values.add(new String(Base64.getDecoder().decode(s.get("value").asText())));
      assertEquals("text/plain", s.get("contentType").asText());
      assertFalse(s.get("modified").asText().isEmpty());
    });
    assertEquals(Set.of("apple", "pear"), values);

    var resolved = kv.put("sib", "cart", "apple+pear", "X-KV-Context", context(both), "Content-Type", "text/plain");
    assertEquals(200, resolved.statusCode(), resolved.body());
    var one = kv.get("sib", "cart");
    assertEquals(200, one.statusCode());
    assertEquals("apple+pear", one.body());
    assertEquals(context(resolved), context(one));
    assertEquals(json(resolved).get("context").asText(), context(one));
  }

  @Test
  void aLastWriterWinsNamespaceKeepsTheLatestValue() {
    assertEquals(201, kv.put("lww", "user", "v1").statusCode());
    assertEquals(200, kv.put("lww", "user", "v2").statusCode());
    var r = kv.get("lww", "user");
    assertEquals(200, r.statusCode());
    assertEquals("v2", r.body());
    assertTrue(r.headers().firstValue("X-KV-Modified").isPresent());
  }

  @Test
  void aLevelThatCannotBeReachedAnswers503SayingHowFarTheRequestGot() {
    var write = kv.send("PUT", "/v1/kv/lww/unreachable?w=3", "stored-anyway");
    assertError(write, 503, "level_not_reached");
    JsonNode w = json(write);
    assertEquals("3", w.get("level").asText());
    assertEquals(3, w.get("required").asInt());
    assertEquals(1, w.get("acknowledged").asInt());
    assertEquals(1, w.get("members").asInt());
    assertTrue(w.get("storedLocally").asBoolean());
    assertTrue(w.get("mayHaveApplied").asBoolean());
    assertEquals("stored-anyway", kv.send("GET", "/v1/kv/lww/unreachable?r=local", null).body());

    var read = kv.send("GET", "/v1/kv/lww/unreachable?r=2", null);
    assertError(read, 503, "level_not_reached");
    assertEquals(1, json(read).get("answered").asInt());
    assertEquals(2, json(read).get("required").asInt());
  }

  @Test
  void compareAndSetIsStrongOnlyAndIfNoneMatchIsCheckedOnThisNode() {
    assertError(kv.put("lww", "cas", "v", "If-Match", "\"1\""), 400, "cas_requires_strong");
    assertError(kv.delete("lww", "cas", "If-Match", "*"), 400, "cas_requires_strong");
    assertEquals(201, kv.put("lww", "cas", "first", "If-None-Match", "*").statusCode());
    assertError(kv.put("lww", "cas", "second", "If-None-Match", "*"), 412, "precondition_failed");
    assertEquals("first", kv.get("lww", "cas").body());
    // A delete takes the same If-None-Match as a PUT, as a strong key does: it deleted the value before.
    for (String ns : List.of("lww", "default")) {
      assertEquals(201, kv.put(ns, "kept", "precious").statusCode());
      assertError(kv.delete(ns, "kept", "If-None-Match", "*"), 412, "precondition_failed");
      assertEquals("precious", kv.get(ns, "kept").body());
      assertEquals(200, kv.send("POST", "/v1/kv/" + ns + "/kept-count/increment", null).statusCode());
      assertError(kv.delete(ns, "kept-count", "If-None-Match", "*"), 412, "precondition_failed");
      assertEquals("1", kv.get(ns, "kept-count").body());
    }
  }

  @Test
  void badLevelsAndContextsAreRefusedAndStrongNamespacesTakeNeither() {
    assertError(kv.send("PUT", "/v1/kv/lww/k?w=most", "v"), 400, "bad_level");
    assertError(kv.send("GET", "/v1/kv/lww/k?r=-1", null), 400, "bad_level");
    assertError(kv.put("lww", "k", "v", "X-KV-Context", "garbage!"), 400, "bad_context");
    assertError(kv.send("GET", "/v1/kv/default/k?r=majority", null), 400, "bad_level");
    assertError(kv.put("default", "k", "v", "X-KV-Context", "AQ"), 400, "bad_context");
  }

  @Test
  void countersCountAndAKeyIsEitherACounterOrAValue() {
    for (String ns : List.of("lww", "default")) {
      assertEquals(5, json(kv.send("POST", "/v1/kv/" + ns + "/hits/increment?by=5", null)).get("value").asLong());
      assertEquals(3, json(kv.send("POST", "/v1/kv/" + ns + "/hits/increment?by=-2", null)).get("value").asLong());
      assertEquals(4, json(kv.send("POST", "/v1/kv/" + ns + "/hits/increment", null)).get("value").asLong());
      var read = kv.get(ns, "hits");
      assertEquals(200, read.statusCode());
      assertEquals("4", read.body());
      assertTrue(read.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));

      assertError(kv.put(ns, "hits", "text"), 409, "wrong_kind");
      assertEquals(201, kv.put(ns, "name", "text").statusCode());
      assertError(kv.send("POST", "/v1/kv/" + ns + "/name/increment", null), 409, "wrong_kind");
      assertError(kv.send("POST", "/v1/kv/" + ns + "/hits/increment?by=ten", null), 400, "bad_increment");
      assertError(kv.send("POST", "/v1/kv/" + ns + "/hits/increment?by=" + Long.MAX_VALUE, null), 409,
          "counter_overflow");
      assertError(kv.send("POST", "/v1/kv/" + ns + "/hits", null), 405, "method_not_allowed");
      // An increment takes no precondition: it was accepted and applied unconditionally.
      assertError(kv.send("POST", "/v1/kv/" + ns + "/hits/increment", null, "If-Match", "\"5\""), 400,
          "bad_precondition");
      assertError(kv.send("POST", "/v1/kv/" + ns + "/hits/increment", null, "If-None-Match", "*"), 400,
          "bad_precondition");
      assertEquals("4", kv.get(ns, "hits").body());

      assertEquals(204, kv.delete(ns, "hits").statusCode());
      assertError(kv.get(ns, "hits"), 404, "key_not_found");
      assertEquals(201, kv.put(ns, "hits", "now a value").statusCode());
    }
  }

  @Test
  void valuesExpireAndExpiredOrDeletedKeysArePurged() throws Exception {
    assertEquals(201, kv.put("short", "session", "s").statusCode(), "the namespace's ttl applies");
    assertTrue(kv.get("short", "session").headers().firstValue("X-KV-Expires").isPresent());
    assertEquals(201, kv.send("PUT", "/v1/kv/lww/token?ttl=300ms", "t").statusCode());
    assertEquals(201, kv.put("lww", "gone", "g").statusCode());
    assertEquals(204, kv.delete("lww", "gone").statusCode());
    assertError(kv.get("lww", "gone"), 404, "key_not_found");
    assertError(kv.delete("lww", "gone"), 404, "key_not_found");

    Await.until(Duration.ofSeconds(10), () -> kv.get("short", "session").statusCode() == 404
        && kv.get("lww", "token").statusCode() == 404);
    Await.until(Duration.ofSeconds(10), () -> !storedLocally("short", "session") && !storedLocally("lww", "token")
        && !storedLocally("lww", "gone"));
  }

  @Test
  void anEventualValueLargerThanTheLimitIs413() {
    assertError(kv.put("lww", "big", "x".repeat(64 * 1024 + 1)), 413, "value_too_large");
    assertEquals(201, kv.put("lww", "big", "x".repeat(64 * 1024)).statusCode());
  }

  @Test
  void anEventualNamespaceIsRemovedOnlyWhenEmpty() {
    createNamespace("temp", "{\"mode\":\"eventual\",\"buckets\":4}");
    assertEquals(201, kv.put("temp", "k", "v").statusCode());
    assertError(kv.send("DELETE", "/v1/namespaces/temp", null), 409, "namespace_not_empty");
    assertEquals(204, kv.delete("temp", "k").statusCode());
    assertEquals(204, kv.send("DELETE", "/v1/namespaces/temp", null).statusCode());
  }

  /** Whether this node's replica of the key's bucket still holds the key at all. */
  private boolean storedLocally(String namespace, String key) {
    var definition = json(kv.send("GET", "/v1/namespaces/" + namespace, null));
    return LocalReplica.holds(node.system(), namespace, definition.get("buckets").asInt(), key);
  }
}
