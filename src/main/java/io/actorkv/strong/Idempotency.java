package io.actorkv.strong;

import io.actorkv.store.KeyRequest;
import io.actorkv.store.Precondition;
import io.actorkv.store.TxnCompare;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's idempotency key and the fingerprint of the request it came
 * with, as a write's event records them. A repeat of the key with the same
 * fingerprint is the same request and gets the first outcome again; with
 * another fingerprint it is a mistake of the client's
 * ({@link KeyReply.IdempotencyKeyReused}). Part of the journal's contract:
 * null in events written without a key and in every older event.
 *
 * @param fingerprint SHA-256, in hex, of what the request asks for: its
 *     operation, namespace, key, principal and every input that changes
 *     what it does (value, content type, TTL, precondition, increment, revision; a
 *     transaction's compares and both branches' operations)
 */
public record Idempotency(String key, String fingerprint) {

  private static final HexFormat HEX = HexFormat.of();

  public Idempotency {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** The record of {@code request}, sent with {@code key}, on behalf of {@code principal}; empty without a key. */
  static Optional<Idempotency> of(Optional<String> key, KeyRequest request, String principal) {
    return key.map(k -> new Idempotency(k, fingerprint(request, principal)));
  }

  /** Nothing a write leaves out of its fingerprint can change what it does. */
  static String fingerprint(KeyRequest request, String principal) {
    try {
      var bytes = new ByteArrayOutputStream(256);
      var out = new DataOutputStream(bytes);
      text(out, request.getClass().getSimpleName());
      text(out, request.namespace().storageName());
      text(out, request.key());
      text(out, principal);
      if (request instanceof KeyRequest.Put put) {
        out.writeInt(put.value().length);
        out.write(put.value());
        text(out, put.contentType());
        duration(out, put.ttl());
        precondition(out, put.precondition());
      } else if (request instanceof KeyRequest.Delete delete) {
        precondition(out, delete.precondition());
      } else if (request instanceof KeyRequest.Increment increment) {
        out.writeLong(increment.by());
      } else if (request instanceof KeyRequest.Revert revert) {
        out.writeLong(revert.to());
        duration(out, revert.ttl());
        precondition(out, revert.precondition());
      } else if (request instanceof KeyRequest.Txn txn) {
        for (TxnCompare c : txn.compares()) {
          text(out, c.namespace().storageName());
          text(out, c.key());
          text(out, c.target().name() + c.operator().symbol());
          out.writeLong(c.number());
          out.writeBoolean(c.exists());
          out.writeInt(c.value() == null ? -1 : c.value().length);
          if (c.value() != null) out.write(c.value());
        }
        branch(out, "success", txn.success(), principal);
        branch(out, "failure", txn.failure(), principal);
      } else if (!(request instanceof KeyRequest.Get)) {
        throw new IllegalArgumentException("only writes take an idempotency key, not " + request);
      }
      out.flush();
      return HEX.formatHex(sha256().digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void branch(DataOutputStream out, String name, java.util.List<KeyRequest> requests,
                             String principal) throws IOException {
    text(out, name);
    out.writeInt(requests.size());
    for (KeyRequest r : requests) text(out, fingerprint(r, principal));
  }

  /** The one claim of a transaction sent with idempotency key {@code key} by {@code principal}. */
  static String claimId(String principal, String key) {
    return HEX.formatHex(sha256().digest((principal + "\n" + key).getBytes(StandardCharsets.UTF_8)));
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void duration(DataOutputStream out, Optional<Duration> d) throws IOException {
    out.writeLong(d.map(Duration::toNanos).orElse(-1L));
  }

  private static void precondition(DataOutputStream out, Precondition p) throws IOException {
    text(out, p.getClass().getSimpleName());
    out.writeLong(p instanceof Precondition.IfRevision r ? r.revision() : -1);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
