package io.actorkv.eventual;

import io.actorkv.crypto.DataKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Encryption at rest of eventual values, with the namespaces' data keys
 * strong mode uses ({@link DataKeys}). A write seals its value before it
 * enters the key's CRDT, so replicas in memory, gossip and LMDB hold only
 * ciphertext; readers open it. The ciphertext is bound to the namespace
 * (its stored name), the key, and what its version fixes at the write and
 * never changes: timestamp (the last-writer-wins order), expiry and content
 * type. The dot is not bound: pruning a removed node gives its versions new
 * dots. Counters, key names, version vectors and metadata stay in the clear
 * (docs/security.md).
 */
final class VersionSeal {

  /** Encryption at rest off: nothing is sealed, and sealed versions cannot be read. */
  static final VersionSeal OFF = new VersionSeal(DataKeys.OFF);

  /** Keeps an eventual ciphertext's associated data apart from any strong one's. */
  private static final byte[] DOMAIN = "actorkv eventual value\n".getBytes(StandardCharsets.UTF_8);

  private final DataKeys keys;

  VersionSeal(DataKeys keys) {
    this.keys = keys;
  }

  boolean enabled() {
    return keys.enabled();
  }

  /** Makes the namespace's key ready for {@link #seal}: made if the namespace has none. */
  CompletionStage<Void> loadForWriting(String storageName) {
    return keys.loadForWriting(storageName);
  }

  /** Makes the namespace's key ready for {@link #open} without blocking, if it has one. */
  CompletionStage<Void> loadForReading(String storageName) {
    return keys.loadForReading(storageName);
  }

  /**
   * {@code version} as it is replicated: its value sealed for {@code key} of
   * the namespace stored as {@code storageName}, when encryption at rest is
   * on; tombstones stay as they are.
   *
   * @throws io.actorkv.store.ValueUnreadable if the namespace was shredded
   */
  Version seal(String storageName, String key, Version version) {
    if (!keys.enabled() || version.tombstone() || version.sealed()) return version;
    return version.withValue(keys.seal(storageName, aad(storageName, key, version), version.value()), true);
  }

  /**
   * {@code version} with its value in the clear. May read the data key from
   * the database if {@link #loadForReading} did not load it.
   *
   * @throws io.actorkv.store.ValueUnreadable if the namespace was shredded, the
   *     bytes do not open for this key and version, or this node has no master key
   */
  Version open(String storageName, String key, Version version) {
    if (!version.sealed()) return version;
    byte[] plain = keys.open(storageName, aad(storageName, key, version), version.value(),
        "key '" + key + "' of eventual namespace '" + storageName + "'");
    return version.withValue(plain, false);
  }

  /** Length-prefixed, so no two (namespace, key) pairs make the same bytes. */
  static byte[] aad(String storageName, String key, Version version) {
    byte[] ns = storageName.getBytes(StandardCharsets.UTF_8);
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] type = version.contentType().getBytes(StandardCharsets.UTF_8);
    long expires = version.expires().instant().map(Instant::toEpochMilli).orElse(0L);
    return ByteBuffer.allocate(DOMAIN.length + 3 * Integer.BYTES + ns.length + k.length + type.length
            + 2 * Long.BYTES)
        .put(DOMAIN).putInt(ns.length).put(ns).putInt(k.length).put(k)
        .putLong(version.timestamp()).putLong(expires).putInt(type.length).put(type).array();
  }
}
