package io.actorkv.strong;

import io.actorkv.store.Expiry;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the journal records of a key. Every event advances the key's revision
 * by one, so the revision is the entity's sequence number. Events carry who
 * made the change and when, for audit. Each is stored under its stable name
 * ({@link KeyJournalSerializer}); their fields are a contract too.
 */
public sealed interface KeyEvent {

  Instant timestamp();

  /** A value was stored; a null {@code expiresAt} (as in the journal) means it never expires. */
  record ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp)
      implements KeyEvent {

    public ValuePut {
      expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValuePut p
          && Arrays.equals(value, p.value)
          && contentType.equals(p.contentType)
          && expiresAt.equals(p.expiresAt)
          && principal.equals(p.principal)
          && timestamp.equals(p.timestamp);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(value), contentType, expiresAt, principal, timestamp);
    }

    @Override
    public String toString() {
      return "ValuePut[" + value.length + " bytes, " + contentType + ", expiresAt=" + expiresAt
          + ", principal=" + principal + ", timestamp=" + timestamp + "]";
    }
  }

  record ValueDeleted(String principal, Instant timestamp) implements KeyEvent {}

  /** A counter was incremented by {@code by} (negative: decremented); a key that held no value starts at 0. */
  record CounterIncremented(long by, String principal, Instant timestamp) implements KeyEvent {}

  /** The value's time to live ran out; written by the entity's own timer. */
  record ValueExpired(Instant timestamp) implements KeyEvent {}
}
