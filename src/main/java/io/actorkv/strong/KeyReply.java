package io.actorkv.strong;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.MessageBudget;

/** What a key's entity answers. */
public sealed interface KeyReply extends CborSerializable {

  /** A read found a live value at this revision. */
  record Found(long revision, StoredValue value) implements KeyReply {}

  /** No live value: never written, deleted or expired. */
  record NotFound(long revision) implements KeyReply {}

  /** A put was stored at this revision; {@code created} if the key did not exist before. */
  record Stored(long revision, boolean created) implements KeyReply {}

  /** A delete removed the value; the delete itself is this revision. */
  record Deleted(long revision) implements KeyReply {}

  /** An increment was stored at this revision; the counter is now {@code value}. */
  record Counted(long revision, long value) implements KeyReply {}

  /** The key holds the other kind of data ({@code existing}: "counter" or "value"); nothing was written. */
  record WrongKind(String existing) implements KeyReply {}

  /** The counter would leave the range of a 64-bit integer; nothing was written. */
  record CounterOverflow(long value) implements KeyReply {}

  /** A revert named a revision the key does not have ({@code head}: its latest); nothing was written. */
  record NoSuchRevision(long revision, long head) implements KeyReply {}

  /** The write's precondition did not hold; nothing was written. */
  record PreconditionFailed(long revision, boolean exists) implements KeyReply {}

  /** The write's idempotency key came with another request within the window; nothing was written. */
  record IdempotencyKeyReused() implements KeyReply {}

  /**
   * The command never reached the key's entity: sharding dropped it (a
   * shard handing off drops what it buffered) or it went to dead letters.
   * Nothing was applied, so the store sends it again ({@link Undelivered}).
   */
  record NotDelivered() implements KeyReply {}

  /**
   * The journal failed the write ({@code reason}); {@code mayBeStored}:
   * whether it may be stored all the same ({@link io.actorkv.base.NotStored}).
   */
  record NotStored(String reason, boolean mayBeStored) implements KeyReply {}

  /** The key's namespace was shredded: nothing can be written there any more. */
  record Shredded() implements KeyReply {}

  /**
   * The node that hosts the key cannot open its namespace's data key
   * ({@code message} says why: it lacks the master key that wraps it), or
   * the key cannot recover from its journal ({@link KeyEntity#UNRECOVERABLE});
   * nothing was applied.
   */
  record Unreadable(String message) implements KeyReply {}

  /**
   * A transaction's operation on the key, as applied or as it would apply:
   * {@code kind} is "found", "not_found", "stored", "deleted", "counted",
   * or a refusal, "wrong_kind" ({@code existing} says what the key holds)
   * or "counter_overflow"; {@code value} what a get found.
   */
  record OpResult(String kind, long revision, StoredValue value, boolean created, long count, String existing) {

    /** About how many bytes this carries, as {@link MessageBudget} counts them. */
    long bytes() {
      return MessageBudget.ITEM_BYTES + Prepared.bytes(value);
    }

    boolean refused() {
      return kind.equals("wrong_kind") || kind.equals("counter_overflow");
    }
  }

  /**
   * The key is now held by the transaction: its revision and live value
   * (null: none) for the compares, and what its operations of each branch
   * would answer, refusals included.
   */
  record Prepared(long revision, StoredValue value, java.util.List<OpResult> success,
                  java.util.List<OpResult> failure) implements KeyReply {

    /** About how many bytes this carries, as {@link MessageBudget} counts them. */
    long bytes() {
      long bytes = bytes(value);
      for (var branch : java.util.List.of(success, failure)) {
        for (OpResult result : branch) bytes += result.bytes();
      }
      return bytes;
    }

    static long bytes(StoredValue v) {
      return v == null ? 0 : v.bytes().length + MessageBudget.bytes(v.contentType());
    }
  }

  /**
   * What {@link Prepared} would carry of values comes to {@code bytes},
   * more than one message between nodes carries ({@link MessageBudget});
   * the key is held until the transaction aborts.
   */
  record TooLarge(long bytes) implements KeyReply {}

  /** Another transaction holds the key; this one did not get it. */
  record Busy(String holder) implements KeyReply {}

  /** The transaction's outcome is applied to the key and the key is free; what each operation answered. */
  record Finished(java.util.List<OpResult> results) implements KeyReply {}

  /** The key was held by a transaction for longer than a request waits; nothing was read or changed. */
  record Locked(long retryAfterSeconds) implements KeyReply {}
}
