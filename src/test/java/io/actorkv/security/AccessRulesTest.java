package io.actorkv.security;

import static io.actorkv.testing.KvClient.json;
import static io.actorkv.testing.TestTokens.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import io.actorkv.testing.Watcher;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles and bindings made through {@code /v1/auth} by an admin, and what
 * they let each principal do on every endpoint, over a real socket. alice
 * reads the {@code eu/} keys of {@code orders}; whoever claims the role
 * {@code writers} writes all of {@code orders}; {@code root} does anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessRulesTest {

  Node node;
  KvClient kv;
  TestTokens tokens;
  String[] admin;
  String[] alice;
  String[] bob;
  String[] nobody;

  @BeforeAll
  void start(@TempDir Path dir) {
    tokens = new TestTokens(dir);
    node = TestNodes.start(TestNodes.settings(dir.resolve("data"), null, List.of()), ConfigFactory.empty()
        .withValue("actorkv.auth.secret-file", ConfigValueFactory.fromAnyRef(tokens.secretFile.toString())));
    kv = new KvClient(node.httpPort());
    admin = bearer(tokens.hs256("admin", "root"));
    alice = bearer(tokens.hs256("alice"));
    bob = bearer(tokens.hs256("bob", "writers"));
    nobody = bearer(tokens.hs256("nobody"));

    assertStatus(201, kv.send("PUT", "/v1/namespaces/orders", "{\"mode\":\"strong\"}", admin));
    assertStatus(201, kv.send("PUT", "/v1/namespaces/other", "{\"mode\":\"strong\"}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/roles/eu-reader",
        "{\"grants\":[{\"permission\":\"read\",\"namespace\":\"orders\",\"prefix\":\"eu/\"}]}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/roles/orders-writer",
        "{\"grants\":[{\"permission\":\"write\",\"namespace\":\"orders\"}]}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/bindings/subject/alice", "{\"roles\":[\"eu-reader\"]}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/bindings/claim/writers", "{\"roles\":[\"orders-writer\"]}", admin));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static void assertStatus(int status, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
  }

  static void assertForbidden(HttpResponse<String> r) {
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("forbidden", json(r).get("error").asText(), r.body());
    assertFalse(json(r).get("needs").asText().isEmpty());
  }

  @Test
  void keysNeedReadToReadAndWriteToChange() {
    assertStatus(201, kv.put("orders", "eu/1", "one", bob));
    assertStatus(201, kv.put("orders", "us/1", "two", bob));

    assertStatus(200, kv.get("orders", "eu/1", alice));
    assertStatus(200, kv.send("GET", "/v1/kv/orders/eu%2F1?revision=1", null, alice));
    assertStatus(200, kv.send("GET", "/v1/history/orders/eu%2F1", null, alice));
    assertForbidden(kv.get("orders", "us/1", alice));
    assertForbidden(kv.send("GET", "/v1/history/orders/us%2F1", null, alice));
    assertForbidden(kv.put("orders", "eu/1", "mine", alice));
    assertForbidden(kv.delete("orders", "eu/1", alice));
    assertForbidden(kv.send("POST", "/v1/kv/orders/eu%2Fcount/increment", null, alice));
    assertForbidden(kv.send("POST", "/v1/kv/orders/eu%2F1/revert?to=1", null, alice));
    assertForbidden(kv.get("other", "eu/1", alice));
    assertForbidden(kv.put("other", "x", "v", bob));
    assertForbidden(kv.get("default", "x", nobody));

    assertStatus(200, kv.get("orders", "us/1", bob));
    assertStatus(200, kv.send("POST", "/v1/kv/orders/count/increment", null, bob));
    assertStatus(200, kv.put("orders", "us/1", "three", bob));
    assertStatus(200, kv.send("POST", "/v1/kv/orders/us%2F1/revert?to=1", null, bob));
    assertStatus(204, kv.send("DELETE", "/v1/kv/orders/count", null, bob));
    assertEquals("two", kv.get("orders", "us/1", admin).body());
  }

  /** A transaction takes read on each key it compares or reads and write on each it changes; refused whole. */
  @Test
  void aTransactionNeedsEachPermissionOnEachOfItsKeys() {
    String put = "{\"op\":\"put\",\"namespace\":\"orders\",\"key\":\"eu/t\",\"value\":\"x\"}";
    String putOther = "{\"op\":\"put\",\"namespace\":\"other\",\"key\":\"t\",\"value\":\"x\"}";
    String compare = "{\"namespace\":\"orders\",\"key\":\"eu/t\",\"target\":\"exists\",\"op\":\"=\","
        + "\"exists\":false}";
    assertForbidden(kv.send("POST", "/v1/txn", "{\"success\":[" + put + "," + putOther + "]}", bob));
    assertForbidden(kv.send("POST", "/v1/txn", "{\"compare\":[" + compare + "],\"success\":[" + put + "]}", alice));
    assertStatus(404, kv.get("orders", "eu/t", admin));
    assertStatus(404, kv.get("other", "t", admin));
    assertStatus(200, kv.send("POST", "/v1/txn", "{\"compare\":[" + compare + "],\"success\":[" + put + "]}", bob));
    assertStatus(200, kv.send("POST", "/v1/txn", "{\"compare\":[" + compare + "]}", alice));
    assertEquals("x", kv.get("orders", "eu/t", admin).body());
  }

  @Test
  void listingsAndRangeDeletesMustLieWithinAGrantedPrefix() {
    assertStatus(201, kv.put("orders", "eu/list", "in", bob));
    assertStatus(201, kv.put("orders", "fr/list", "out", bob));

    HttpResponse<String> page = kv.send("GET", "/v1/kv/orders?prefix=eu/&keysOnly=false", null, alice);
    assertStatus(200, page);
    assertTrue(page.body().contains("eu/list"), page.body());
    assertStatus(200, kv.send("GET", "/v1/kv/orders?start=eu/a&end=eu/z", null, alice));
    // A range that starts inside the grant but runs past it, or spans the namespace, would show other keys.
    assertForbidden(kv.send("GET", "/v1/kv/orders?start=eu/", null, alice));
    HttpResponse<String> pastTheGrant = kv.send("GET", "/v1/kv/orders?start=eu/&end=fs", null, alice);
    assertForbidden(pastTheGrant);
    assertEquals("read on keys from 'eu/' to 'fs' of namespace 'orders'", json(pastTheGrant).get("needs").asText());
    assertEquals("write on keys that start with 'eu/' of namespace 'orders'",
        json(kv.send("DELETE", "/v1/kv/orders?prefix=eu/", null, alice)).get("needs").asText());
    assertForbidden(kv.send("GET", "/v1/kv/orders?prefix=e", null, alice));
    assertForbidden(kv.send("GET", "/v1/kv/orders?count=true", null, alice));
    assertForbidden(kv.send("DELETE", "/v1/kv/orders?prefix=eu/", null, alice));
    HttpResponse<String> batch = kv.send("POST", "/v1/batch", "{\"operations\": [{\"op\": \"get\", "
        + "\"namespace\": \"orders\", \"key\": \"eu/list\"}, {\"op\": \"put\", \"namespace\": "
        + "\"orders\", \"key\": \"fr/list\", \"value\": \"x\"}]}", alice);
    assertStatus(200, batch);
    assertEquals(200, json(batch).get("results").get(0).get("status").asInt(), batch.body());
    assertEquals(403, json(batch).get("results").get(1).get("status").asInt(), batch.body());
    assertEquals("out", kv.get("orders", "fr/list", admin).body());
    assertStatus(200, kv.send("DELETE", "/v1/kv/orders?prefix=fr/", null, bob));
  }

  @Test
  void theJournalRecordsTheTokensSubjectAsTheAuthorOfEachChange() {
    assertStatus(201, kv.put("orders", "eu/by-bob", "v", bob));
    JsonNode history = json(kv.send("GET", "/v1/history/orders/eu%2Fby-bob", null, alice));
    assertEquals("bob", history.get("revisions").get(0).get("principal").asText(), history.toString());
    JsonNode audit = json(kv.send("GET", "/v1/audit/orders?key=eu%2Fby-bob", null, admin));
    assertEquals("bob", audit.get("changes").get(0).get("principal").asText(), audit.toString());
  }

  @Test
  void namespacesShowWhereTheCallerHasAGrantAndChangeOnlyForItsAdmins() {
    List<String> seen = new ArrayList<>();
    json(kv.send("GET", "/v1/namespaces", null, alice)).get("namespaces").forEach(n -> seen.add(n.get("name").asText()));
    assertEquals(List.of("orders"), seen);
    assertStatus(200, kv.send("GET", "/v1/namespaces/orders", null, alice));
    assertForbidden(kv.send("GET", "/v1/namespaces/other", null, alice));
    assertForbidden(kv.send("PUT", "/v1/namespaces/mine", "{}", bob));
    assertForbidden(kv.send("DELETE", "/v1/namespaces/orders", null, bob));
    assertEquals(3, json(kv.send("GET", "/v1/namespaces", null, admin)).get("namespaces").size());
  }

  @Test
  void theClusterAndTheRulesAreForAdminsOfEveryNamespace() {
    assertForbidden(kv.send("GET", "/v1/cluster", null, bob));
    assertStatus(200, kv.send("GET", "/v1/cluster", null, admin));
    assertForbidden(kv.send("GET", "/v1/auth/roles", null, alice));
    assertForbidden(kv.send("PUT", "/v1/auth/bindings/subject/alice", "{\"roles\":[\"orders-writer\"]}", alice));
    assertForbidden(kv.send("DELETE", "/v1/auth/roles/eu-reader", null, bob));

    JsonNode me = json(kv.send("GET", "/v1/auth/whoami", null, alice));
    assertEquals("alice", me.get("subject").asText());
    assertEquals("eu-reader", me.get("roles").get(0).asText());
    assertEquals("eu/", me.get("grants").get(0).get("prefix").asText());
  }

  @Test
  void theRulesRecordTheAdminWhoChangedThem() {
    JsonNode role = json(kv.send("GET", "/v1/auth/roles/orders-writer", null, admin));
    assertEquals("admin", role.get("updatedBy").asText(), role.toString());
    assertEquals("write", role.get("grants").get(0).get("permission").asText());
    JsonNode binding = json(kv.send("GET", "/v1/auth/bindings/claim/writers", null, admin));
    assertEquals("admin", binding.get("updatedBy").asText(), binding.toString());
    assertTrue(json(kv.send("GET", "/v1/auth/bindings", null, admin)).get("bindings").size() >= 2);
  }

  @Test
  void badRulesAre400AndTheBuiltInRootCannotChange() {
    assertStatus(400, kv.send("PUT", "/v1/auth/roles/bad", "{\"grants\":[{\"permission\":\"own\",\"namespace\":\"x\"}]}",
        admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/roles/bad", "{\"grants\":[{\"permission\":\"read\"}]}", admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/roles/bad", "{\"grants\":[{\"permission\":\"read\",\"namespace\":"
        + "\"Not A Namespace\"}]}", admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/roles/bad", "not json", admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/roles/bad%20name", "{\"grants\":[]}", admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/bindings/subject/carol", "{\"roles\":[\"no-such-role\"]}", admin));
    assertStatus(400, kv.send("PUT", "/v1/auth/bindings/group/carol", "{\"roles\":[]}", admin));
    assertStatus(409, kv.send("PUT", "/v1/auth/roles/root", "{\"grants\":[]}", admin));
    assertStatus(409, kv.send("DELETE", "/v1/auth/roles/root", null, admin));
    JsonNode root = json(kv.send("GET", "/v1/auth/roles/root", null, admin));
    assertEquals("admin", root.get("grants").get(0).get("permission").asText(), root.toString());
    assertStatus(404, kv.send("GET", "/v1/auth/roles/bad", null, admin));
    assertStatus(404, kv.send("DELETE", "/v1/auth/bindings/subject/carol", null, admin));
  }

  @Test
  void aRoleRemovedOrRedefinedTakesEffectOnTheNextRequest() {
    String[] dave = bearer(tokens.hs256("dave"));
    assertStatus(201, kv.send("PUT", "/v1/auth/roles/temp", "{\"grants\":[{\"permission\":\"read\","
        + "\"namespace\":\"other\"}]}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/bindings/subject/dave", "{\"roles\":[\"temp\"]}", admin));
    assertStatus(404, kv.get("other", "x", dave));
    assertStatus(200, kv.send("PUT", "/v1/auth/roles/temp", "{\"grants\":[{\"permission\":\"read\","
        + "\"namespace\":\"other\",\"prefix\":\"y\"}]}", admin));
    assertForbidden(kv.get("other", "x", dave));
    assertStatus(204, kv.send("DELETE", "/v1/auth/roles/temp", null, admin));
    assertForbidden(kv.get("other", "yes", dave));
    // The role leaves the bindings that gave it (etcd's role delete does too): a role of that name defined
    // later gave dave its grants again, as if his binding had been kept for it.
    assertStatus(404, kv.send("GET", "/v1/auth/bindings/subject/dave", null, admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/roles/temp", "{\"grants\":[{\"permission\":\"read\","
        + "\"namespace\":\"other\"}]}", admin));
    assertForbidden(kv.get("other", "x", dave));
    assertStatus(201, kv.send("PUT", "/v1/auth/roles/temp-2", "{\"grants\":[]}", admin));
    assertStatus(201, kv.send("PUT", "/v1/auth/bindings/subject/erin", "{\"roles\":[\"temp\",\"temp-2\"]}",
        admin));
    assertStatus(204, kv.send("DELETE", "/v1/auth/roles/temp", null, admin));
    JsonNode erin = json(kv.send("GET", "/v1/auth/bindings/subject/erin", null, admin));
    assertEquals("[\"temp-2\"]", erin.get("roles").toString(), erin.toString());
  }

  @Test
  void auditAndWatchShowOnlyTheKeysTheCallerMayRead() {
    assertStatus(201, kv.put("orders", "eu/audit", "a", bob));
    assertStatus(201, kv.put("orders", "us/audit", "b", bob));
    JsonNode page = json(kv.send("GET", "/v1/audit/orders?values=true&limit=1000", null, alice));
    assertTrue(page.get("changes").size() > 0);
    page.get("changes").forEach(c -> assertTrue(c.get("key").asText().startsWith("eu/"), c.toString()));
    assertForbidden(kv.send("GET", "/v1/audit/orders?prefix=us/", null, alice));
    assertForbidden(kv.send("GET", "/v1/audit/orders?key=us%2Faudit", null, alice));
    assertForbidden(kv.send("GET", "/v1/audit/other", null, alice));
    assertEquals(0, json(kv.send("GET", "/v1/audit/orders?prefix=e", null, alice)).get("changes").findValues("key")
        .stream().filter(k -> !k.asText().startsWith("eu/")).count());

    try (Watcher watch = Watcher.open(node.httpPort(), "/v1/watch/orders?prefix=&values=true", alice)) {
      assertEquals(200, watch.status());
      assertStatus(201, kv.put("orders", "us/watched", "secret", bob));
      assertStatus(201, kv.put("orders", "eu/watched", "fine", bob));
      Watcher.Event first = watch.next(Duration.ofSeconds(10));
      assertEquals("eu/watched", first.key(), first.data().toString());
    }
    try (Watcher watch = Watcher.open(node.httpPort(), "/v1/watch/orders?prefix=us/", alice)) {
      assertEquals(403, watch.status());
    }
  }
}
