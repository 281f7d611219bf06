package io.actorkv.strong;

import io.actorkv.CborSerializable;

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

  /** The write's precondition did not hold; nothing was written. */
  record PreconditionFailed(long revision, boolean exists) implements KeyReply {}
}
