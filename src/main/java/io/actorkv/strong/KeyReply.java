package io.actorkv.strong;

import io.actorkv.base.CborSerializable;

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

  /** The key's namespace was shredded: nothing can be written there any more. */
  record Shredded() implements KeyReply {}
}
