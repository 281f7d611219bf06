package io.actorkv.strong;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A link of a key's hash chain: {@code SHA-256(previous link || canonical
 * bytes of the event)}, the first event's previous link being the key's
 * genesis, derived from its persistence id. Every event carries its link,
 * so changing, removing, inserting or reordering an event breaks the links
 * from there on ({@code actorkv audit verify}). The canonical bytes are ours
 * (docs/audit.md), not the journal's CBOR, so that they stay the same
 * whatever serializes the event.
 */
public final class ChainHash {

  private static final HexFormat HEX = HexFormat.of();
  private final byte[] bytes;

  private ChainHash(byte[] bytes) {
    if (bytes.length != 32) throw new IllegalArgumentException("a chain hash has 32 bytes, not " + bytes.length);
    this.bytes = bytes;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ChainHash of(byte[] bytes) {
    return new ChainHash(bytes.clone());
  }

  @JsonValue
  byte[] bytes() {
    return bytes.clone();
  }

  /** The link before a key's first event. */
  public static ChainHash genesis(String persistenceId) {
    MessageDigest sha = sha256();
    sha.update("actorkv chain v1\u0000".getBytes(StandardCharsets.UTF_8));
    sha.update(persistenceId.getBytes(StandardCharsets.UTF_8));
    return new ChainHash(sha.digest());
  }

  /** The link of {@code event}, stored as revision {@code revision}, after this one. */
  public ChainHash next(long revision, KeyEvent event) {
    MessageDigest sha = sha256();
    sha.update(bytes);
    sha.update(canonical(revision, event));
    return new ChainHash(sha.digest());
  }

  /**
   * The event as the chain sees it: its stable type name, its revision, then
   * its fields in a fixed order, each a length-prefixed UTF-8 string, byte
   * string or a big-endian integer, and last, for a write that came with
   * one, its idempotency key and request fingerprint, then for a value
   * stored encrypted the word "sealed" (so events without these keep the
   * bytes they always had). A sealed value is chained as its ciphertext:
   * the chain verifies without the data key, a shredded namespace's too.
   * Its own hash is not part of it.
   */
  static byte[] canonical(long revision, KeyEvent event) {
    try {
      var bytes = new ByteArrayOutputStream(128);
      var out = new DataOutputStream(bytes);
      text(out, KeyJournalSerializer.nameOf(event));
      out.writeLong(revision);
      if (event instanceof KeyEvent.ValuePut put) {
        binary(out, put.value());
        text(out, put.contentType());
        instant(out, put.expiresAt().instant().orElse(null));
        text(out, put.principal());
      } else if (event instanceof KeyEvent.ValueReverted revert) {
        out.writeLong(revert.from());
        binary(out, revert.value());
        text(out, revert.contentType());
        instant(out, revert.expiresAt().instant().orElse(null));
        text(out, revert.principal());
      } else if (event instanceof KeyEvent.ValueDeleted delete) {
        text(out, delete.principal());
      } else if (event instanceof KeyEvent.CounterIncremented inc) {
        out.writeLong(inc.by());
        text(out, inc.principal());
      } else if (!(event instanceof KeyEvent.ValueExpired)) {
        throw new IllegalArgumentException("no canonical form for " + event.getClass().getName());
      }
      instant(out, event.timestamp());
      if (event.idempotency() != null) {
        text(out, event.idempotency().key());
        text(out, event.idempotency().fingerprint());
      }
      if (event instanceof KeyEvent.ValuePut put && put.sealed()
          || event instanceof KeyEvent.ValueReverted revert && revert.sealed()) {
        text(out, "sealed");
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    binary(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void binary(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /** Seconds and nanoseconds since the epoch; never as {@code -1, -1}. */
  private static void instant(DataOutputStream out, Instant at) throws IOException {
    out.writeLong(at == null ? -1 : at.getEpochSecond());
    out.writeInt(at == null ? -1 : at.getNano());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainHash h && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
