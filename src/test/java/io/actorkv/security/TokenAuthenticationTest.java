package io.actorkv.security;

import static io.actorkv.testing.KvClient.json;
import static io.actorkv.testing.TestTokens.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens over a real socket, against one node that takes HS256
 * tokens by its secret and RS256/ES256 tokens by an identity provider's
 * JWKS, with an issuer and audience to check and 30 s of clock skew.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAuthenticationTest {

  static final String ISSUER = "https://idp.example";
  static final String AUDIENCE = "actorkv";

  Node node;
  KvClient kv;
  TestTokens tokens;

  @BeforeAll
  void start(@TempDir Path dir) {
    tokens = new TestTokens(dir);
    node = TestNodes.start(TestNodes.settings(dir.resolve("data"), null, List.of()), ConfigFactory.empty()
        .withValue("actorkv.auth.secret-file", ConfigValueFactory.fromAnyRef(tokens.secretFile.toString()))
        .withValue("actorkv.auth.jwks-file", ConfigValueFactory.fromAnyRef(tokens.jwksFile.toString()))
        .withValue("actorkv.auth.issuer", ConfigValueFactory.fromAnyRef(ISSUER))
        .withValue("actorkv.auth.audience", ConfigValueFactory.fromAnyRef(AUDIENCE)));
    kv = new KvClient(node.httpPort());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static JWTClaimsSet.Builder valid(String subject) {
    return TestTokens.claims(subject, "root").issuer(ISSUER).audience(AUDIENCE);
  }

  HttpResponse<String> whoami(String token) {
    return kv.send("GET", "/v1/auth/whoami", null, bearer(token));
  }

  static void assertRefused(HttpResponse<String> r) {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("invalid_token", json(r).get("error").asText(), r.body());
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertTrue(challenge.startsWith("Bearer ") && challenge.contains("error=\"invalid_token\""), challenge);
  }

  @Test
  void givenAValidTokenOfEachAlgorithm_thenTheRequestActsForItsSubject() {
    for (String token : List.of(tokens.hs256(valid("alice")), tokens.rs256(valid("bob")),
        tokens.es256(valid("carol")))) {
      var r = whoami(token);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(List.of("root"), List.of(json(r).get("roles").get(0).asText()));
    }
    assertEquals("carol", json(whoami(tokens.es256(valid("carol")))).get("subject").asText());
    var put = kv.put("default", "k", "v", bearer(tokens.rs256(valid("bob"))));
    assertEquals(201, put.statusCode(), put.body());
  }

  @Test
  void givenNoToken_then401WithABearerChallengeAndNothingChanges() {
    var r = kv.put("default", "no-token", "v");
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("unauthorized", json(r).get("error").asText());
    assertEquals("Bearer realm=\"actorkv\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertTrue(r.headers().firstValue("X-Request-Id").isPresent(), "every error carries the request's id");
    assertEquals(404, kv.get("default", "no-token", bearer(tokens.hs256(valid("alice")))).statusCode());
    assertEquals(401, kv.send("GET", "/v1/cluster", null, "Authorization", "Basic YWxpY2U6c2VjcmV0").statusCode());
  }

  @Test
  void givenAnExpiredToken_then401_butWithinTheClockSkewItPasses() {
    Instant now = Instant.now();
    assertRefused(whoami(tokens.hs256(valid("alice").expirationTime(Date.from(now.minusSeconds(60))))));
    assertEquals(200, whoami(tokens.hs256(valid("alice").expirationTime(Date.from(now.minusSeconds(10)))))
        .statusCode());
  }

  @Test
  void givenATokenNotYetValid_then401() {
    Instant later = Instant.now().plus(Duration.ofMinutes(5));
    assertRefused(whoami(tokens.rs256(valid("bob").notBeforeTime(Date.from(later)))));
  }

  @Test
  void givenAnotherIssuerOrAudienceOrNoneOfThem_then401() {
    assertRefused(whoami(tokens.hs256(valid("alice").issuer("https://evil.example"))));
    assertRefused(whoami(tokens.hs256(valid("alice").audience("other-service"))));
    assertRefused(whoami(tokens.es256(TestTokens.claims("carol", "root").audience(AUDIENCE))));
    assertRefused(whoami(tokens.es256(TestTokens.claims("carol", "root").issuer(ISSUER))));
  }

  @Test
  void givenAnUnsignedToken_then401() {
    assertRefused(whoami(TestTokens.unsigned(valid("mallory"))));
  }

  @Test
  void givenAnHs256TokenMacedWithTheIdentityProvidersPublicKey_then401() throws Exception {
    byte[] publicKey = tokens.rsa.toRSAPublicKey().getEncoded();
    assertRefused(whoami(TestTokens.sign(JWSAlgorithm.HS256, "rsa-1", valid("mallory"),
        TestTokens.macSigner(publicKey))));
    assertRefused(whoami(TestTokens.sign(JWSAlgorithm.HS256, null, valid("mallory"),
        TestTokens.macSigner(tokens.rsa.toPublicJWK().toJSONString().getBytes()))));
  }

  @Test
  void givenAnUnknownKeyIdOrAnotherSecret_then401() throws Exception {
    var other = new TestTokens(java.nio.file.Files.createTempDirectory("other-idp"));
    assertRefused(whoami(TestTokens.sign(JWSAlgorithm.RS256, "rsa-2", valid("mallory"),
        new com.nimbusds.jose.crypto.RSASSASigner(other.rsa))));
    assertRefused(whoami(other.rs256(valid("mallory"))));
    assertRefused(whoami(other.hs256(valid("mallory"))));
  }

  @Test
  void givenSomethingThatIsNoJwt_then401() {
    assertRefused(whoami("not-a-token"));
    assertRefused(whoami(""));
  }

  @Test
  void givenATokenWithoutSubject_then401() {
    assertRefused(whoami(tokens.hs256(new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().plusSeconds(600))))));
  }

  /** Two Authorization headers could mean either token: 400, as any repeated header; the first one was used. */
  @Test
  void givenTwoAuthorizationHeaders_then400() {
    String token = tokens.hs256("alice");
    HttpResponse<String> twice = kv.send("GET", "/v1/auth/whoami", null, "Authorization", "Bearer " + token,
        "Authorization", "Bearer " + token);
    assertEquals(400, twice.statusCode(), twice.body());
    assertEquals("ambiguous_header", json(twice).get("error").asText());
  }

  /**
   * An Idempotency-Key is one principal's: another's write with the same
   * key is a write of its own, not a 422 (one writer used to be able to
   * block another's retries for 24 h by using its predictable key first).
   */
  @Test
  void givenTwoPrincipalsSendingTheSameIdempotencyKey_thenEachGetsItsOwnWrite() {
    String alice = "Bearer " + tokens.hs256(valid("alice"));
    String bob = "Bearer " + tokens.hs256(valid("bob"));

    var alices = kv.put("default", "idem-shared", "a", "Authorization", alice, "Idempotency-Key", "order-1");
    var bobs = kv.put("default", "idem-shared", "b", "Authorization", bob, "Idempotency-Key", "order-1");
    var alicesRepeat = kv.put("default", "idem-shared", "a", "Authorization", alice, "Idempotency-Key", "order-1");
    var alicesOther = kv.put("default", "idem-shared", "c", "Authorization", alice, "Idempotency-Key", "order-1");

    assertEquals(201, alices.statusCode(), alices.body());
    assertEquals(200, bobs.statusCode(), bobs.body());
    assertEquals(2, KvClient.revision(bobs));
    assertEquals(1, KvClient.revision(alicesRepeat));
    assertEquals(422, alicesOther.statusCode(), alicesOther.body());
    assertEquals("b", kv.get("default", "idem-shared", "Authorization", bob).body());
  }

  /**
   * A subject no revocation or binding could name (empty, a control
   * character, over 256 characters), or an iat past the clock skew, which
   * a revocation "until now" would not reach: 401. They passed before.
   */
  @Test
  void givenASubjectTheRulesCannotNameOrAnIatInTheFuture_then401() {
    for (String subject : List.of("", "ev\u0007il", "x".repeat(257))) {
      assertRefused(whoami(tokens.hs256(new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
          .expirationTime(Date.from(Instant.now().plusSeconds(600))))));
    }
    assertRefused(whoami(tokens.hs256(new JWTClaimsSet.Builder().subject("alice").issuer(ISSUER).audience(AUDIENCE)
        .issueTime(Date.from(Instant.now().plusSeconds(3600)))
        .expirationTime(Date.from(Instant.now().plusSeconds(7200))))));
  }
}
