package io.actorkv.security;

import static io.actorkv.testing.KvClient.json;
import static io.actorkv.testing.TestTokens.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import io.actorkv.testing.Watcher;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/auth/revocations/{sub}}: an admin ends a subject's tokens issued
 * before a moment, before they expire; newer tokens pass, other subjects are
 * untouched, the revocation survives a restart, and lifting it lets the old
 * tokens in again. Over a real socket, one node on H2.
 */
class RevocationTest {

  @TempDir
  Path dir;
  TestTokens tokens;
  Node node;
  KvClient kv;
  String[] admin;

  @BeforeEach
  void start() {
    tokens = new TestTokens(dir);
    node = startNode();
    admin = bearer(tokens.hs256("admin", "root"));
  }

  private Node startNode() {
    Node started = TestNodes.start(TestNodes.settings(dir.resolve("data"), null, List.of()), ConfigFactory.empty()
        .withValue("actorkv.auth.secret-file", ConfigValueFactory.fromAnyRef(tokens.secretFile.toString()))
        .withValue("actorkv.auth.clock-skew", ConfigValueFactory.fromAnyRef("1s")));
    kv = new KvClient(started.httpPort());
    return started;
  }

  @AfterEach
  void stop() {
    node.close();
  }

  /** A root token of {@code subject} issued at {@code issued} (none: without {@code iat}). */
  private String[] tokenIssuedAt(String subject, Instant issued) {
    var claims = TestTokens.claims(subject, "root").issueTime(issued == null ? null : Date.from(issued));
    return bearer(tokens.hs256(claims));
  }

  private static void assertRevoked(HttpResponse<String> r) {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("invalid_token", json(r).get("error").asText(), r.body());
    assertTrue(json(r).get("message").asText().contains("revoked"), r.body());
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
  }

  /**
   * Every node is sent the whole rules in one message after each change;
   * past a message between nodes (2 MiB) that message was dropped, and the
   * other nodes kept the rules they had, revocations not made. A change
   * that would grow the rules past it is refused; one that shrinks them is not.
   */
  @Test
  void aChangeThatWouldOutgrowAMessageIsRefusedAndRevocationsStillWork() {
    StringBuilder grants = new StringBuilder("{\"grants\":[");
    for (int i = 0; i < 240; i++) {
      grants.append(i == 0 ? "" : ",").append("{\"permission\":\"read\",\"namespace\":\"orders\",\"prefix\":\"")
          .append(i).append("x".repeat(200)).append("\"}");
    }
    String body = grants.append("]}").toString();
    int stored = 0;
    HttpResponse<String> last;
    do {
      last = kv.send("PUT", "/v1/auth/roles/r" + stored, body, admin);
    } while (last.statusCode() == 201 && ++stored < 100);
    assertEquals(507, last.statusCode(), last.body());
    assertEquals("rules_full", json(last).get("error").asText());
    assertTrue(stored > 10, "roles stored before the rules were full: " + stored);
    assertEquals(404, kv.send("GET", "/v1/auth/roles/r" + stored, null, admin).statusCode());

    assertEquals(204, kv.send("DELETE", "/v1/auth/roles/r0", null, admin).statusCode());
    String[] mallory = tokenIssuedAt("mallory", Instant.now().minusSeconds(60));
    assertEquals(201, kv.send("PUT", "/v1/auth/revocations/mallory",
        "{\"before\": \"" + Instant.now().minusSeconds(5) + "\"}", admin).statusCode());
    assertRevoked(kv.put("default", "k", "v", mallory));
  }

  @Test
  void aRevokedSubjectsOlderTokensAreRefusedNewerOnesAndOthersPassAndLiftingLetsThemInAgain() {
    Instant now = Instant.now();
    String[] stolen = tokenIssuedAt("mallory", now.minusSeconds(60));
    String[] noIssueTime = tokenIssuedAt("mallory", null);
    String[] reissued = tokenIssuedAt("mallory", now);
    String[] someoneElse = tokenIssuedAt("alice", now.minusSeconds(60));
    assertEquals(201, kv.put("default", "k", "v", stolen).statusCode());

    HttpResponse<String> revoked = kv.send("PUT", "/v1/auth/revocations/mallory",
        "{\"before\": \"" + now.minusSeconds(5) + "\"}", admin);
    assertEquals(201, revoked.statusCode(), revoked.body());

    assertRevoked(kv.get("default", "k", stolen));
    assertRevoked(kv.put("default", "k", "overwritten", stolen));
    assertRevoked(kv.get("default", "k", noIssueTime));
    assertEquals("v", kv.get("default", "k", reissued).body());
    assertEquals("v", kv.get("default", "k", someoneElse).body());
    assertEquals("v", kv.get("default", "k", admin).body());

    JsonNode listed = json(kv.send("GET", "/v1/auth/revocations", null, admin)).get("revocations");
    assertEquals(1, listed.size(), listed.toString());
    JsonNode one = json(kv.send("GET", "/v1/auth/revocations/mallory", null, admin));
    assertEquals("mallory", one.get("subject").asText());
    assertEquals(now.minusSeconds(5), Instant.parse(one.get("before").asText()));
    assertEquals("admin", one.get("updatedBy").asText());

    assertEquals(204, kv.send("DELETE", "/v1/auth/revocations/mallory", null, admin).statusCode());
    assertEquals("v", kv.get("default", "k", stolen).body());
    HttpResponse<String> again = kv.send("DELETE", "/v1/auth/revocations/mallory", null, admin);
    assertEquals(404, again.statusCode(), again.body());
  }

  @Test
  void withoutABodyEveryTokenIssuedUntilNowIsRevokedAndThatSurvivesARestart() {
    String[] old = tokenIssuedAt("mallory", Instant.now().minusSeconds(60));
    assertEquals(201, kv.send("PUT", "/v1/auth/revocations/mallory", null, admin).statusCode());
    assertEquals(200, kv.send("PUT", "/v1/auth/revocations/mallory", "", admin).statusCode());
    assertRevoked(kv.get("default", "k", old));

    node.close();
    node = startNode();

    assertRevoked(kv.get("default", "k", old));
    assertEquals(404, kv.get("default", "k", tokenIssuedAt("mallory", Instant.now().plus(Duration.ofSeconds(1))))
        .statusCode());
  }

  @Test
  void subjectsAsIdentityProvidersWriteThemCanBeRevokedAndBound() {
    String subject = "auth0|5f1c@example.com";
    String path = "/v1/auth/revocations/" + KvClient.encode(subject);
    assertEquals(201, kv.send("PUT", path, null, admin).statusCode());
    assertEquals(subject, json(kv.send("GET", path, null, admin)).get("subject").asText());
    assertRevoked(kv.get("default", "k", tokenIssuedAt(subject, Instant.now().minusSeconds(60))));
    assertEquals(201, kv.send("PUT", "/v1/auth/roles/reader",
        "{\"grants\":[{\"permission\":\"read\",\"namespace\":\"*\"}]}", admin).statusCode());
    HttpResponse<String> bound = kv.send("PUT", "/v1/auth/bindings/claim/" + KvClient.encode("/org/Domain Admins"),
        "{\"roles\":[\"reader\"]}", admin);
    assertEquals(201, bound.statusCode(), bound.body());
  }

  @Test
  void badRevocationsAre400AndOnlyAnAdminMayRevoke() {
    HttpResponse<String> badTime = kv.send("PUT", "/v1/auth/revocations/mallory", "{\"before\": \"yesterday\"}", admin);
    assertEquals(400, badTime.statusCode(), badTime.body());
    assertEquals("bad_rule", json(badTime).get("error").asText());
    HttpResponse<String> notJson = kv.send("PUT", "/v1/auth/revocations/mallory", "{", admin);
    assertEquals(400, notJson.statusCode(), notJson.body());
    HttpResponse<String> control = kv.send("PUT", "/v1/auth/revocations/a%01b", null, admin);
    assertEquals(400, control.statusCode(), control.body());
    assertEquals(404, kv.send("GET", "/v1/auth/revocations/mallory", null, admin).statusCode());

    String[] plain = bearer(tokens.hs256("carol"));
    HttpResponse<String> refused = kv.send("PUT", "/v1/auth/revocations/mallory", null, plain);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals(0, json(kv.send("GET", "/v1/auth/revocations", null, admin)).get("revocations").size());
  }

  /**
   * A watch sends no change once its token is revoked or has expired: it
   * was checked once, at its start, and went on sending values after both.
   */
  @Test
  void aWatchEndsWhenItsTokenIsRevokedOrExpires() {
    String[] mallory = tokenIssuedAt("mallory", Instant.now().minusSeconds(60));
    try (Watcher watch = Watcher.open(node.httpPort(), "/v1/watch/default?values=true", mallory)) {
      assertEquals(200, watch.status());
      assertEquals(201, kv.put("default", "before", "seen", admin).statusCode());
      assertEquals("before", watch.next(Duration.ofSeconds(10)).key());
      assertEquals(201, kv.send("PUT", "/v1/auth/revocations/mallory", null, admin).statusCode());
      assertEquals(201, kv.put("default", "after-revocation", "secret", admin).statusCode());
      Await.until(Duration.ofSeconds(10), watch::ended);
      assertEquals(List.of(), watch.drain(), "nothing after the revocation");
    }

    var shortLived = TestTokens.claims("eve", "root").expirationTime(Date.from(Instant.now().plusSeconds(2)));
    try (Watcher watch = Watcher.open(node.httpPort(), "/v1/watch/default?values=true",
        bearer(tokens.hs256(shortLived)))) {
      assertEquals(200, watch.status());
      Await.until(Duration.ofSeconds(20), watch::ended);
      assertEquals(201, kv.put("default", "after-expiry", "secret", admin).statusCode());
      assertTrue(watch.drain().stream().noneMatch(e -> e.key().equals("after-expiry")));
    }
  }
}
