package io.actorkv.crypto;

import java.util.Optional;

/**
 * The keys that wrap the namespaces' data keys: the one source of key
 * encryption keys, so that a key-management service can take the place of
 * the local keys ({@link LocalMasterKeys}) by implementing this. Every
 * wrapped data key is stored beside the id of the master key that wrapped
 * it; rotation wraps again with the current key what an older one wrapped.
 */
public interface MasterKeys {

  /** A data key as stored: the id of its master key and the wrapped bytes. */
  record Wrapped(String masterKeyId, byte[] bytes) {}

  /** The id of the key that wraps new data keys. */
  String currentId();

  /** {@code dataKey} wrapped by the current key, bound to {@code context} (the data key's owner). */
  Wrapped wrap(byte[] dataKey, byte[] context);

  /**
   * The data key {@code wrapped} holds; empty when this source has no key of
   * its id, or the bytes were not wrapped for {@code context}.
   */
  Optional<byte[]> unwrap(Wrapped wrapped, byte[] context);
}
