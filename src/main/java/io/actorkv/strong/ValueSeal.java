package io.actorkv.strong;

import io.actorkv.crypto.DataKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * Encryption at rest of strong values. A key's entity seals the value of a
 * put or revert with its namespace's data key before the event is
 * persisted, bound to the key's persistence id (namespace and key) and the
 * revision the event makes, so the bytes open nowhere else; the state and
 * its snapshots keep them sealed. Readers (a GET, a past revision, history,
 * the change feed, listings) open them. Counters, key names and metadata
 * stay in the clear (docs/security.md).
 */
public final class ValueSeal {

  /** Encryption at rest off: nothing is sealed, and sealed values cannot be read. */
  public static final ValueSeal OFF = new ValueSeal(DataKeys.OFF);

  private final DataKeys keys;

  public ValueSeal(DataKeys keys) {
    this.keys = keys;
  }

  /** The length of the plaintext of a value sealed into {@code sealedLength} bytes. */
  public static int plainLength(int sealedLength) {
    return DataKeys.plainLength(sealedLength);
  }

  /** The name the key of {@code persistenceId} ({@code kv|<storage name>|<key>}) is stored under. */
  static String storageName(String persistenceId) {
    int first = persistenceId.indexOf(KeyEntity.SEPARATOR);
    return persistenceId.substring(first + 1, persistenceId.indexOf(KeyEntity.SEPARATOR, first + 1));
  }

  /** The associated data of revision {@code revision}'s value of a key: its persistence id, then the revision. */
  private static byte[] aad(String persistenceId, long revision) {
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(id.length + Long.BYTES).put(id).putLong(revision).array();
  }

  /** Makes the namespace's key ready for {@link #seal}: made if the namespace has none. */
  CompletionStage<Void> loadForWriting(String storageName) {
    return keys.loadForWriting(storageName);
  }

  /** Whether the namespace stored as {@code storageName} is known shredded here. */
  boolean shredded(String storageName) {
    return keys.shredded(storageName);
  }

  /** Makes the namespace's key ready for opening without blocking, if it has one. */
  CompletionStage<Void> loadForReading(String storageName) {
    return keys.loadForReading(storageName);
  }

  /**
   * {@code event} as it is persisted: a put's or revert's value sealed for
   * revision {@code revision} of the key, when encryption at rest is on.
   *
   * @throws io.actorkv.store.ValueUnreadable if the namespace was shredded
   */
  KeyEvent seal(String persistenceId, long revision, KeyEvent event) {
    if (!keys.enabled()) return event;
    String storageName = storageName(persistenceId);
    if (event instanceof KeyEvent.ValuePut put) {
      return put.withValue(keys.seal(storageName, aad(persistenceId, revision), put.value()), true);
    }
    if (event instanceof KeyEvent.ValueReverted revert) {
      return revert.withValue(keys.seal(storageName, aad(persistenceId, revision), revert.value()), true);
    }
    return event;
  }

  /**
   * {@code event}, stored as revision {@code revision} of the key, with its
   * value in the clear. May read the data key from the database.
   *
   * @throws io.actorkv.store.ValueUnreadable if it cannot be opened
   */
  public KeyEvent open(String persistenceId, long revision, KeyEvent event) {
    if (event instanceof KeyEvent.ValuePut put && put.sealed()) {
      return put.withValue(open(persistenceId, revision, put.value()), false);
    }
    if (event instanceof KeyEvent.ValueReverted revert && revert.sealed()) {
      return revert.withValue(open(persistenceId, revision, revert.value()), false);
    }
    return event;
  }

  /**
   * A transaction's hold on the key of {@code persistenceId} as its lock's
   * journal keeps it: each put's value sealed (with encryption at rest),
   * bound to the key and the transaction.
   */
  KeyLock.Held seal(String persistenceId, KeyLock.Held held) {
    if (!keys.enabled()) return held;
    byte[] aad = lockAad(persistenceId, held.txnId());
    UnaryOperator<TxnOp> sealOne = op -> op.value() == null || op.sealed() ? op
        : op.withValue(keys.seal(storageName(persistenceId), aad, op.value()), true);
    return new KeyLock.Held(held.txnId(), held.revision(), held.success().stream().map(sealOne).toList(),
        held.failure().stream().map(sealOne).toList(), held.at());
  }

  /** A hold as its lock's journal kept it, with its puts' values in the clear; null stays null. */
  KeyLock.Held open(String persistenceId, KeyLock.Held held) {
    if (held == null) return null;
    byte[] aad = lockAad(persistenceId, held.txnId());
    UnaryOperator<TxnOp> openOne = op -> !op.sealed() ? op : op.withValue(
        keys.open(storageName(persistenceId), aad, op.value(), "transaction " + held.txnId() + " of " + persistenceId),
        false);
    return new KeyLock.Held(held.txnId(), held.revision(), held.success().stream().map(openOne).toList(),
        held.failure().stream().map(openOne).toList(), held.at());
  }

  private static byte[] lockAad(String persistenceId, String txnId) {
    return ("kvlock|" + persistenceId + "|" + txnId).getBytes(StandardCharsets.UTF_8);
  }

  /** A state's value, written by revision {@code revision}, in the clear. */
  StoredValue open(String persistenceId, long revision, StoredValue value) {
    return value == null || !value.sealed() ? value : value.opened(open(persistenceId, revision, value.bytes()));
  }

  /** The plaintext of a value sealed for revision {@code revision} of the key. */
  public byte[] open(String persistenceId, long revision, byte[] sealed) {
    return keys.open(storageName(persistenceId), aad(persistenceId, revision), sealed,
        "revision " + revision + " of " + persistenceId);
  }

  /** {@link #open(String, long, byte[])} for the key {@code key} of the namespace stored as {@code storageName}. */
  public byte[] open(String storageName, String key, long revision, byte[] sealed) {
    return open(KeyEntity.persistenceId(KeyEntity.entityId(storageName, key)), revision, sealed);
  }
}
