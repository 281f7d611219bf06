package io.actorkv.store;

import io.actorkv.namespace.Level;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything a {@link KeyValueStore} answers, for both modes; a transport
 * renders each of these (http.KeyResponses). A failed stage means the store
 * could not tell: a {@link java.util.concurrent.TimeoutException} when the
 * key's owner did not answer in time, after which a write may have applied.
 */
public sealed interface KeyOutcome {

  /** A read found a value: exactly one in a strong or last-writer-wins namespace, one per sibling otherwise. */
  record Found(List<Value> values, Stamp stamp) implements KeyOutcome {}

  /**
   * A read of an eventual counter (a strong counter reads as a {@link Found}
   * value). Concurrent increments can merge to a value past 64 bits.
   */
  record CounterFound(BigInteger value) implements KeyOutcome {}

  /** Nothing live: never written, deleted, expired, or (eventual) not on the replicas read. */
  record NotFound() implements KeyOutcome {}

  /** A put was stored; {@code created} when no live value was there before. */
  record Stored(Stamp stamp, boolean created) implements KeyOutcome {}

  /** A delete was stored; a strong stamp is the delete's own revision. */
  record Deleted(Stamp stamp) implements KeyOutcome {}

  /** An increment was stored; the counter is now {@code value} (eventual: as this node sees it). */
  record Counted(long value, OptionalLong revision) implements KeyOutcome {}

  /**
   * The write's precondition did not hold; nothing was written. A strong key
   * says its revision; an eventual one checked this node's replica only.
   */
  record PreconditionFailed(boolean exists, OptionalLong revision) implements KeyOutcome {}

  /**
   * Strong: the write's idempotency key was used within the window for a
   * request that asked for something else; nothing was written.
   */
  record IdempotencyKeyReused() implements KeyOutcome {}

  /** The key holds the other kind of data: {@code existing} is "counter" or "value"; nothing was written. */
  record WrongKind(String existing) implements KeyOutcome {}

  /** The counter would leave the range of a 64-bit integer; nothing was written. */
  record CounterOverflow() implements KeyOutcome {}

  /** Eventual: the key's bucket would outgrow one replication message; nothing was written. */
  record BucketFull(long bucketBytes, long limitBytes) implements KeyOutcome {}

  /**
   * Eventual: the level was not reached in time. {@code acknowledged}
   * replicas (this one included) hold the write, or answered the read; a
   * write is stored on this node regardless and spreads from there.
   */
  record LevelNotReached(boolean write, Level level, int required, int acknowledged, int members)
      implements KeyOutcome {}

  /** A read or revert named a revision past the key's latest, {@code head}. */
  record RevisionNotFound(long revision, long head) implements KeyOutcome {}

  /** The revision was removed from the journal by the namespace's history retention; {@code oldest} is kept. */
  record RevisionCompacted(long revision, long oldest) implements KeyOutcome {}

  /** A revert named a revision at which the key held no value (deleted, expired) or a counter. */
  record NothingToRevertTo(long revision, String held) implements KeyOutcome {}

  /**
   * A page of a key's changes; {@code next} continues it, when there is
   * more; {@code compactedThrough}, when not 0, is the newest revision that
   * retention removed from the journal.
   */
  record History(List<Change> changes, OptionalLong next, long compactedThrough) implements KeyOutcome {}

  /**
   * A page of a listing: each key with its value's metadata (and the value
   * when asked for); {@code next}, when there is more, is the last key
   * given, from which the next page goes on.
   */
  record Listing(List<Listed> keys, Optional<String> next) implements KeyOutcome {}

  /**
   * One key of a listing: its value as a read would answer it (the newest
   * of {@code siblings} values in an eventual siblings namespace; a counter
   * as its decimal count), its size in bytes and its revision (strong). The
   * value's bytes are there only if the listing asked for them
   * ({@code withValue}); otherwise they are empty.
   */
  record Listed(String key, OptionalLong revision, Value value, int size, int siblings, boolean withValue) {}

  /** A range delete deleted {@code deleted} keys; {@code more} if the range held more than its limit. */
  record RangeDeleted(long deleted, boolean more) implements KeyOutcome {}

  /** How many live keys a range holds. */
  record KeyCount(long count) implements KeyOutcome {}

  /** The request does not fit the namespace's mode ({@code code} as in the API's errors); nothing was changed. */
  record Invalid(String code, String message) implements KeyOutcome {}

  /**
   * The principal may not do this to these keys (one key, or a range, in
   * words): it lacks {@code permission}
   * ("read" or "write") on it. Nothing was read or changed.
   */
  record Forbidden(String permission, String namespace, String keys) implements KeyOutcome {}

  /** This node cannot serve requests now (not an Up member); nothing was changed. */
  record NotReady() implements KeyOutcome {}

  /**
   * A transaction was applied: {@code succeeded} if its compares held (its
   * success operations ran, else its failure ones), with each operation's
   * result in order.
   */
  record TxnDone(boolean succeeded, List<KeyOutcome> results) implements KeyOutcome {}

  /**
   * A transaction's operation {@code operation} (of the branch its compares
   * chose) cannot apply, for the reason {@code cause} gives; nothing of the
   * transaction was applied.
   */
  record TxnRefused(boolean succeeded, int operation, KeyOutcome cause) implements KeyOutcome {}

  /**
   * A key is held by a transaction longer than a request waits (or, for a
   * transaction, its keys stayed held by others through its retries);
   * nothing was read or changed. Sent again after {@code retryAfterSeconds},
   * it likely succeeds.
   */
  record KeyLocked(long retryAfterSeconds) implements KeyOutcome {}
}
