package io.actorkv.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.actorkv.base.FileFailures;
import io.actorkv.store.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens: JWTs signed with HS256 by a shared secret, or with RS256
 * or ES256 by an identity provider whose public keys are in a JWKS file.
 * A token passes only with a valid signature by one of those keys (its
 * {@code kid}, when it names one, must be known), an algorithm that fits
 * the key ({@code none}, and a MAC made with a public key, never do), a
 * subject, an {@code exp} not passed and an {@code nbf} reached (within the
 * clock skew), and the configured {@code iss} and {@code aud}. Verified
 * tokens are kept, up to a bound, until they expire, so a client that sends
 * the same token again costs a map lookup.
 */
public final class Tokens {

  private static final Logger log = LoggerFactory.getLogger(Tokens.class);

  /** How a node verifies tokens; empty paths and names leave that part out. */
  public record Settings(Optional<Path> secretFile, Optional<Path> jwksFile, Optional<String> issuer,
                         Optional<String> audience, Duration clockSkew, String roleClaim, int cacheSize) {
    public boolean enabled() {
      return secretFile.isPresent() || jwksFile.isPresent();
    }
  }

  /** A token that did not pass; the message says why (to the client, in {@code error_description}). */
  public static final class InvalidToken extends RuntimeException {
    InvalidToken(String message) {
      super(message, null, false, false);
    }
  }

  /** The fewest secret bytes HS256 takes (RFC 7518: a key as long as the hash). */
  static final int SECRET_BYTES = 32;

  /** A token that passed: who it acts for, when it was issued, and until when it passes (expiry and skew). */
  public record VerifiedToken(Principal principal, Optional<Instant> issuedAt, Instant validUntil) {}

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String roleClaim;
  private final int cacheSize;
  private final long skewMillis;
  private final Clock clock;
  private final ConcurrentHashMap<String, VerifiedToken> verified = new ConcurrentHashMap<>();

  private Tokens(JWKSet keys, Set<JWSAlgorithm> algorithms, Settings settings, Clock clock) {
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new ImmutableJWKSet<>(keys)));
    Set<String> required = new HashSet<>(Set.of("sub", "exp"));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    settings.issuer().ifPresent(exact::issuer);
    settings.issuer().ifPresent(i -> required.add("iss"));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        settings.audience().map(Set::of).orElse(null), exact.build(), required, Set.of()) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    this.roleClaim = settings.roleClaim();
    this.cacheSize = settings.cacheSize();
    this.skewMillis = settings.clockSkew().toMillis();
    this.clock = clock;
  }

  /**
   * A verifier with the settings' keys: the secret for HS256, the JWKS's
   * RSA and EC public keys for RS256 and ES256.
   * @throws IllegalArgumentException when a file cannot be read or holds no usable key
   */
  public static Tokens load(Settings settings, Clock clock) {
    List<JWK> keys = new ArrayList<>();
    Set<JWSAlgorithm> algorithms = new HashSet<>();
    settings.secretFile().ifPresent(file -> {
      keys.add(new OctetSequenceKey.Builder(readSecret(file)).build());
      exposure(file).ifPresent(log::warn);
      algorithms.add(JWSAlgorithm.HS256);
    });
    settings.jwksFile().ifPresent(file -> {
      try {
        for (JWK key : JWKSet.load(file.toFile()).getKeys()) {
          if (key.isPrivate() || key instanceof OctetSequenceKey) {
            throw new IllegalArgumentException("the JWKS file " + file + " must hold public RSA or EC keys only; "
                + "key '" + key.getKeyID() + "' is " + (key instanceof OctetSequenceKey ? "a shared secret" : "private"));
          }
          keys.add(key);
        }
      } catch (IOException | ParseException e) {
        throw new IllegalArgumentException("cannot read the JWKS file " + file + ": " + e.getMessage(), e);
      }
      algorithms.add(JWSAlgorithm.RS256);
      algorithms.add(JWSAlgorithm.ES256);
    });
    if (keys.isEmpty()) throw new IllegalArgumentException("no token keys: give a secret file or a JWKS file");
    return new Tokens(new JWKSet(keys), algorithms, settings, clock);
  }

  /**
   * The principal a token acts for (its subject, with the values of its role
   * claim, a string or a list of strings), and when it was issued.
   * @throws InvalidToken when it does not pass
   */
  public VerifiedToken verify(String token) {
    VerifiedToken known = verified.get(token);
    if (known != null && stillValid(known)) return known;
    try {
      JWTClaimsSet claims = processor.process(token, null);
      Optional<Instant> issuedAt = Optional.ofNullable(claims.getIssueTime()).map(Date::toInstant);
      if (issuedAt.isPresent() && issuedAt.get().toEpochMilli() > clock.millis() + skewMillis) {
        // Issued later than now: a revocation of its subject "until now" would not reach it.
        throw new InvalidToken("it was issued in the future (iat " + issuedAt.get() + ")");
      }
      try {
        Role.checkTokenValue("its subject", claims.getSubject());
      } catch (IllegalArgumentException e) {
        // A subject no revocation or binding could name.
        throw new InvalidToken(e.getMessage());
      }
      VerifiedToken passed = new VerifiedToken(new Principal(claims.getSubject(), roles(claims)), issuedAt,
          Instant.ofEpochMilli(claims.getExpirationTime().getTime() + skewMillis));
      if (verified.size() >= cacheSize) verified.clear();
      verified.put(token, passed);
      return passed;
    } catch (ParseException e) {
      throw new InvalidToken("the token is not a JWT");
    } catch (BadJOSEException | JOSEException e) {
      throw new InvalidToken(e.getMessage());
    }
  }

  /** Whether {@code token} still passes now: it has not expired (past the clock skew). */
  public boolean stillValid(VerifiedToken token) {
    return clock.millis() < token.validUntil().toEpochMilli();
  }

  /** How long {@code token} passes from now: at least a millisecond, since it passed a moment ago. */
  public Duration validFor(VerifiedToken token) {
    return Duration.ofMillis(Math.max(1, token.validUntil().toEpochMilli() - clock.millis()));
  }

  private List<String> roles(JWTClaimsSet claims) throws ParseException {
    Object value = claims.getClaim(roleClaim);
    if (value == null) return List.of();
    if (value instanceof String single) return List.of(single);
    List<String> list = claims.getStringListClaim(roleClaim);
    return list == null ? List.of() : list;
  }

  /** A new HS256 token for {@code subject}, claiming {@code roles}, valid for {@code ttl} from now. */
  public static String mint(byte[] secret, String subject, List<String> roles, String roleClaim, Duration ttl,
                            Optional<String> issuer, Optional<String> audience, Clock clock) {
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(subject)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)));
    if (!roles.isEmpty()) claims.claim(roleClaim, roles);
    issuer.ifPresent(claims::issuer);
    audience.ifPresent(claims::audience);
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(secret));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
    }
  }

  /**
   * Writes a new secret ({@value #SECRET_BYTES} bytes from SecureRandom,
   * base64) to {@code file}, readable by its owner only. Refuses to replace
   * an existing file: every token signed with that one would stop working.
   */
  public static void newSecret(Path file) {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new IllegalArgumentException(file + " exists already; a new secret would end every token signed with it. "
          + "Remove it first to replace it", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + FileFailures.describe(e), e);
    }
  }

  /**
   * A warning if every user of the machine may read the secret file:
   * whoever reads it can mint a token of any role, root included.
   * Kubernetes mounts a Secret 0644 unless told; our manifests say 0400,
   * which an fsGroup makes 0440, so the group alone is not warned of.
   */
  public static Optional<String> exposure(Path file) {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (!mode.contains(PosixFilePermission.OTHERS_READ)) return Optional.empty();
      return Optional.of("the secret file " + file + " is readable by every user (mode "
          + PosixFilePermissions.toString(mode) + "): whoever reads it can mint tokens of any role. "
          + "chmod 600 it (or defaultMode: 0400 for a Kubernetes Secret)");
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty(); // read already, or no POSIX modes to check
    }
  }

  /** The secret a secret file holds: base64 of at least {@value #SECRET_BYTES} bytes. */
  public static byte[] readSecret(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the secret file " + FileFailures.describe(e), e);
    }
    byte[] secret;
    try {
      secret = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the secret file " + file + " must hold base64 (as 'actorkv token "
          + "--new-secret' writes it)", e);
    }
    if (secret.length < SECRET_BYTES) {
      throw new IllegalArgumentException("the secret in " + file + " has " + secret.length + " bytes; HS256 needs "
          + "at least " + SECRET_BYTES + ". Make one with 'actorkv token --new-secret FILE'");
    }
    return secret;
  }
}
