package io.actorkv.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.actorkv.security.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Keys and tokens for tests: an HS256 secret file made as {@code actorkv
 * token --new-secret} makes it, an identity provider's RSA and EC key pairs
 * with their public halves in a JWKS file, and tokens signed by any of them.
 */
public final class TestTokens {

  public final Path secretFile;
  public final Path jwksFile;
  public final byte[] secret;
  public final RSAKey rsa;
  public final ECKey ec;

  public TestTokens(Path dir) {
    try {
      secretFile = dir.resolve("secret");
      Tokens.newSecret(secretFile);
      secret = Tokens.readSecret(secretFile);
      rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
      jwksFile = Files.writeString(dir.resolve("jwks.json"),
          new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Claims of a token for {@code subject} claiming {@code roles}, valid for an hour from now. */
  public static JWTClaimsSet.Builder claims(String subject, String... roles) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(subject).issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    if (roles.length > 0) b.claim("roles", List.of(roles));
    return b;
  }

  /** An HS256 token with the secret, as {@code actorkv token} mints it. */
  public String hs256(JWTClaimsSet.Builder claims) {
    return sign(JWSAlgorithm.HS256, null, claims, macSigner(secret));
  }

  public String hs256(String subject, String... roles) {
    return hs256(claims(subject, roles));
  }

  public String rs256(JWTClaimsSet.Builder claims) {
    try {
      return sign(JWSAlgorithm.RS256, rsa.getKeyID(), claims, new RSASSASigner(rsa));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public String es256(JWTClaimsSet.Builder claims) {
    try {
      return sign(JWSAlgorithm.ES256, ec.getKeyID(), claims, new ECDSASigner(ec));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Any signature: the algorithm and key id named in the header, the signer given. */
  public static String sign(JWSAlgorithm alg, String kid, JWTClaimsSet.Builder claims, JWSSigner signer) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims.build());
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static MACSigner macSigner(byte[] key) {
    try {
      return new MACSigner(key);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg: none}) with these claims. */
  public static String unsigned(JWTClaimsSet.Builder claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
        + b64.encodeToString(claims.build().toString().getBytes()) + ".";
  }

  /** {@code Authorization: Bearer <token>}, as header name and value for KvClient. */
  public static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }
}
