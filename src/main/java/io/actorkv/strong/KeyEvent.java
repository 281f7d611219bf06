package io.actorkv.strong;

import io.actorkv.store.Expiry;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the journal records of a key. Every event advances the key's revision
 * by one, so the revision is the entity's sequence number. Events carry who
 * made the change and when, for audit, and their link of the key's hash
 * chain ({@link ChainHash}; null in events written before 0.2), and a write
 * a client sent with an idempotency key records that key ({@link Idempotency}). Each is
 * stored under its stable name ({@link KeyJournalSerializer}); their fields
 * are a contract too.
 */
public sealed interface KeyEvent {

  Instant timestamp();

  /** Who asked for the change; null for an expiry, which no client asks for. */
  String principal();

  /** This event's link of the key's hash chain; null for an event written before the chain existed. */
  ChainHash hash();

  /** This event with its link of the chain. */
  KeyEvent withHash(ChainHash hash);

  /**
   * The client's idempotency key of the write and its request's fingerprint;
   * null for a write sent without one, an expiry, and every older event.
   */
  Idempotency idempotency();

  /** This event as the write of a request that came with {@code idempotency}. */
  KeyEvent withIdempotency(Idempotency idempotency);

  /**
   * A value was stored; a null {@code expiresAt} (as in the journal) means it
   * never expires. {@code sealed}: {@code value} is encrypted with the
   * namespace's data key ({@link ValueSeal}); false in events written without one.
   */
  record ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp,
                  ChainHash hash, Idempotency idempotency, boolean sealed) implements KeyEvent {

    public ValuePut {
      expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
    }

    public ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp,
                    ChainHash hash, Idempotency idempotency) {
      this(value, contentType, expiresAt, principal, timestamp, hash, idempotency, false);
    }

    /** The event before its link of the chain is known. */
    public ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp) {
      this(value, contentType, expiresAt, principal, timestamp, null, null);
    }

    public ValuePut(byte[] value, String contentType, Expiry expiresAt, String principal, Instant timestamp,
                    ChainHash hash) {
      this(value, contentType, expiresAt, principal, timestamp, hash, null);
    }

    @Override
    public ValuePut withHash(ChainHash h) {
      return new ValuePut(value, contentType, expiresAt, principal, timestamp, h, idempotency, sealed);
    }

    @Override
    public ValuePut withIdempotency(Idempotency i) {
      return new ValuePut(value, contentType, expiresAt, principal, timestamp, hash, i, sealed);
    }

    /** This event with {@code v} as its value, sealed or not. */
    ValuePut withValue(byte[] v, boolean isSealed) {
      return new ValuePut(v, contentType, expiresAt, principal, timestamp, hash, idempotency, isSealed);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValuePut p
          && Arrays.equals(value, p.value)
          && contentType.equals(p.contentType)
          && expiresAt.equals(p.expiresAt)
          && principal.equals(p.principal)
          && timestamp.equals(p.timestamp)
          && Objects.equals(hash, p.hash)
          && Objects.equals(idempotency, p.idempotency)
          && sealed == p.sealed;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(value), contentType, expiresAt, principal, timestamp, hash, idempotency,
          sealed);
    }

    @Override
    public String toString() {
      return "ValuePut[" + value.length + (sealed ? " sealed" : "") + " bytes, " + contentType
          + ", expiresAt=" + expiresAt
          + ", principal=" + principal + ", timestamp=" + timestamp + ", hash=" + hash
          + ", idempotency=" + idempotency + "]";
    }
  }

  record ValueDeleted(String principal, Instant timestamp, ChainHash hash, Idempotency idempotency)
      implements KeyEvent {
    public ValueDeleted(String principal, Instant timestamp) {
      this(principal, timestamp, null, null);
    }

    public ValueDeleted(String principal, Instant timestamp, ChainHash hash) {
      this(principal, timestamp, hash, null);
    }

    @Override
    public ValueDeleted withHash(ChainHash h) {
      return new ValueDeleted(principal, timestamp, h, idempotency);
    }

    @Override
    public ValueDeleted withIdempotency(Idempotency i) {
      return new ValueDeleted(principal, timestamp, hash, i);
    }
  }

  /** A counter was incremented by {@code by} (negative: decremented); a key that held no value starts at 0. */
  record CounterIncremented(long by, String principal, Instant timestamp, ChainHash hash, Idempotency idempotency)
      implements KeyEvent {
    public CounterIncremented(long by, String principal, Instant timestamp) {
      this(by, principal, timestamp, null, null);
    }

    public CounterIncremented(long by, String principal, Instant timestamp, ChainHash hash) {
      this(by, principal, timestamp, hash, null);
    }

    @Override
    public CounterIncremented withHash(ChainHash h) {
      return new CounterIncremented(by, principal, timestamp, h, idempotency);
    }

    @Override
    public CounterIncremented withIdempotency(Idempotency i) {
      return new CounterIncremented(by, principal, timestamp, hash, i);
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

    /** No client asked for an expiry. */
    @Override
    public Idempotency idempotency() {
      return null;
    }

    @Override
    public String principal() {
      return null;
    }

    @Override
    public ValueExpired withIdempotency(Idempotency i) {
      throw new UnsupportedOperationException("an expiry is no client's write");
    }
  }

  /**
   * The value and content type of revision {@code from} were stored again,
   * as a new revision (a revert to {@code from}).
   */
  record ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                       Instant timestamp, ChainHash hash, Idempotency idempotency, boolean sealed)
      implements KeyEvent {

    public ValueReverted {
      expiresAt = expiresAt == null ? Expiry.NEVER : expiresAt;
    }

    public ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                         Instant timestamp, ChainHash hash, Idempotency idempotency) {
      this(from, value, contentType, expiresAt, principal, timestamp, hash, idempotency, false);
    }

    public ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                         Instant timestamp) {
      this(from, value, contentType, expiresAt, principal, timestamp, null, null);
    }

    public ValueReverted(long from, byte[] value, String contentType, Expiry expiresAt, String principal,
                         Instant timestamp, ChainHash hash) {
      this(from, value, contentType, expiresAt, principal, timestamp, hash, null);
    }

    @Override
    public ValueReverted withHash(ChainHash h) {
      return new ValueReverted(from, value, contentType, expiresAt, principal, timestamp, h, idempotency, sealed);
    }

    @Override
    public ValueReverted withIdempotency(Idempotency i) {
      return new ValueReverted(from, value, contentType, expiresAt, principal, timestamp, hash, i, sealed);
    }

    /** This event with {@code v} as its value, sealed or not. */
    ValueReverted withValue(byte[] v, boolean isSealed) {
      return new ValueReverted(from, v, contentType, expiresAt, principal, timestamp, hash, idempotency, isSealed);
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
          && Objects.equals(hash, r.hash)
          && Objects.equals(idempotency, r.idempotency)
          && sealed == r.sealed;
    }

    @Override
    public int hashCode() {
      return Objects.hash(from, Arrays.hashCode(value), contentType, expiresAt, principal, timestamp, hash,
          idempotency, sealed);
    }

    @Override
    public String toString() {
      return "ValueReverted[from " + from + ", " + value.length + (sealed ? " sealed" : "") + " bytes, "
          + contentType + ", expiresAt="
          + expiresAt + ", principal=" + principal + ", timestamp=" + timestamp + ", hash=" + hash
          + ", idempotency=" + idempotency + "]";
    }
  }
}
