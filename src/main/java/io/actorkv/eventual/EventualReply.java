package io.actorkv.eventual;

import io.actorkv.namespace.Level;
import java.util.List;

/** What the eventual store answers; only ever local to a node, never sent between nodes. */
public sealed interface EventualReply {

  /**
   * A read found values: one in a last-writer-wins namespace, or every
   * sibling in a siblings namespace. {@code context} is what a writer sends
   * back to supersede them.
   */
  record Found(List<Version> values, VClock context) implements EventualReply {}

  /** A read found a counter. */
  record CounterValue(long value) implements EventualReply {}

  /** No live value here: never written, deleted, expired, or not yet replicated to the replicas read. */
  record NotFound() implements EventualReply {}

  /** A put was stored; {@code created} if no live value was seen before it. */
  record Written(VClock context, boolean created) implements EventualReply {}

  record Deleted(VClock context) implements EventualReply {}

  /** An increment was applied; the counter's value as this node now sees it. */
  record Counted(long value) implements EventualReply {}

  /** {@code If-None-Match: *} found a live value on this node; nothing was written. */
  record PreconditionFailed() implements EventualReply {}

  /** The key holds the other kind of data: {@code existing} is "counter" or "value". */
  record WrongKind(String existing) implements EventualReply {}

  /** The key's bucket would grow past what one replication message can carry; nothing was written. */
  record BucketFull(long bucketBytes, long limitBytes) implements EventualReply {}

  /** A counter would leave the range of a 64-bit integer; nothing was written. */
  record CounterOverflow() implements EventualReply {}

  /**
   * The level was not reached in time. {@code acknowledged} replicas (this
   * one included) hold the write, or answered the read, when this was decided;
   * a write is stored on this node regardless and spreads by gossip.
   */
  record LevelNotReached(boolean write, Level level, int required, int acknowledged, int members)
      implements EventualReply {}
}
