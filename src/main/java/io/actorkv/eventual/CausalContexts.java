package io.actorkv.eventual;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The causal contexts clients carry ({@code X-KV-Context}): a key's version
 * vector, and a tag that says this store issued it for that key. A context is
 * what a write supersedes, so one the store did not issue, or issued for
 * another key or namespace, could make a write replace acknowledged values
 * instead of becoming their sibling; such a context is refused.
 *
 * <p>The tag is HMAC-SHA256, cut to 16 bytes, with a secret every node of
 * the cluster shares (kept in the journal database), over the namespace (as
 * stored: a re-created namespace is another), the key and the vector. The
 * token is URL-safe base64 without padding.
 */
final class CausalContexts {

  private static final int TAG_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private final ThreadLocal<Mac> macs;

  CausalContexts(byte[] secret) {
    if (secret.length < 32) throw new IllegalArgumentException("a context secret needs 32 bytes or more");
    SecretKeySpec key = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance(ALGORITHM);
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
      }
    });
  }

  /** The context of {@code clock} for {@code key} of the namespace stored as {@code namespace}. */
  String issue(String namespace, String key, VClock clock) {
    byte[] body = EventualSerializer.clockBytes(clock);
    byte[] token = Arrays.copyOf(body, body.length + TAG_BYTES);
    System.arraycopy(tag(namespace, key, body), 0, token, body.length, TAG_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /**
   * The version vector of a context this store issued for exactly this key.
   *
   * @throws IllegalArgumentException for anything else
   */
  VClock verify(String namespace, String key, String context) {
    byte[] token;
    try {
      token = Base64.getUrlDecoder().decode(context);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64url", e);
    }
    if (token.length <= TAG_BYTES) throw new IllegalArgumentException("too short");
    byte[] body = Arrays.copyOf(token, token.length - TAG_BYTES);
    byte[] tag = Arrays.copyOfRange(token, body.length, token.length);
    if (!MessageDigest.isEqual(tag, tag(namespace, key, body))) {
      throw new IllegalArgumentException("not issued by this store for this key");
    }
    try {
      return EventualSerializer.readClock(body);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("a context this store issued that it cannot read", e);
    }
  }

  private byte[] tag(String namespace, String key, byte[] body) {
    Mac mac = macs.get();
    mac.update(namespace.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(key.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(body);
    return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
  }
}
