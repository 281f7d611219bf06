package io.actorkv.strong;

import io.actorkv.store.Expiry;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the journal records of a key. Every event advances the key's revision
 * by one, so the revision is the entity's sequence number. Events carry who
 * made the change and when, for audit, and their link of the key's hash
 * chain ({@link ChainHash}; null in events written before 0.2). Each is
 * stored under its stable name ({@link KeyJournalSerializer}); their fields
 * are a contract too.
 */
public sealed interface KeyEvent {

  Instant timestamp();

  /** This event's link of the key's hash chain; null for an event written before the chain existed. */
  ChainHash hash();

  /** This event with its link of the chain. */
  KeyEvent withHash(ChainHash hash);

  /** A value was stored; a null {@code expiresAt} (as in the journal) means it never expires. */
  record ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp,
                  ChainHash hash) implements KeyEvent {

    public ValuePut {
      expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
    }

    /** The event before its link of the chain is known. */
    public ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp) {
      this(value, contentType, expiresAt, principal, timestamp, null);
    }

    @Override
    public ValuePut withHash(ChainHash h) {
      return new ValuePut(value, contentType, expiresAt, principal, timestamp, h);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValuePut p
          && Arrays.equals(value, p.value)
          && contentType.equals(p.contentType)
          && expiresAt.equals(p.expiresAt)
          && principal.equals(p.principal)
          && timestamp.equals(p.timestamp)
          && Objects.equals(hash, p.hash);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(value), contentType, expiresAt, principal, timestamp, hash);
    }

    @Override
    public String toString() {
      return "ValuePut[" + value.length + " bytes, " + contentType + ", expiresAt=" + expiresAt
          + ", principal=" + principal + ", timestamp=" + timestamp + ", hash=" + hash + "]";
    }
  }

  record ValueDeleted(String principal, Instant timestamp, ChainHash hash) implements KeyEvent {
    public ValueDeleted(String principal, Instant timestamp) {
      this(principal, timestamp, null);
    }

    @Override
    public ValueDeleted withHash(ChainHash h) {
      return new ValueDeleted(principal, timestamp, h);
    }
  }

  /** A counter was incremented by {@code by} (negative: decremented); a key that held no value starts at 0. */
  record CounterIncremented(long by, String principal, Instant timestamp, ChainHash hash) implements KeyEvent {
    public CounterIncremented(long by, String principal, Instant timestamp) {
      this(by, principal, timestamp, null);
    }

    @Override
    public CounterIncremented withHash(ChainHash h) {
      return new CounterIncremented(by, principal, timestamp, h);
    }
  }

  /** The value's time to live ran out; written by the entity's own timer. */
  record ValueExpired(Instant timestamp, ChainHash hash) implements KeyEvent {
    public ValueExpired(Instant timestamp) {
      this(timestamp, null);
    }

    @Override
    public ValueExpired withHash(ChainHash h) {
      return new ValueExpired(timestamp, h);
    }
  }

  /**
   * The value and content type of revision {@code from} were stored again,
   * as a new revision (a revert to {@code from}).
   */
  record ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                       Instant timestamp, ChainHash hash) implements KeyEvent {

    public ValueReverted {
      expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
    }

    public ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                         Instant timestamp) {
      this(from, value, contentType, expiresAt, principal, timestamp, null);
    }

    @Override
    public ValueReverted withHash(ChainHash h) {
      return new ValueReverted(from, value, contentType, expiresAt, principal, timestamp, h);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValueReverted r
          && from == r.from
          && Arrays.equals(value, r.value)
          && contentType.equals(r.contentType)
          && expiresAt.equals(r.expiresAt)
          && principal.equals(r.principal)
          && timestamp.equals(r.timestamp)
          && Objects.equals(hash, r.hash);
    }

    @Override
    public int hashCode() {
      return Objects.hash(from, Arrays.hashCode(value), contentType, expiresAt, principal, timestamp, hash);
    }

    @Override
    public String toString() {
      return "ValueReverted[from " + from + ", " + value.length + " bytes, " + contentType + ", expiresAt="
          + expiresAt + ", principal=" + principal + ", timestamp=" + timestamp + ", hash=" + hash + "]";
    }
  }
}
