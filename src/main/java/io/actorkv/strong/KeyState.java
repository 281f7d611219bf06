package io.actorkv.strong;

import java.time.Instant;

/**
 * A key's state: its revision (number of events so far), its value, or
 * {@code null} after a delete or expiry, and the last link of its hash chain
 * ({@code null} until its first event that has one). A value whose expiry
 * has passed but whose expire event is not yet written is already absent to
 * readers. Also the key's snapshot in the journal.
 */
public record KeyState(long revision, StoredValue value, ChainHash hash) {

  public static final KeyState EMPTY = new KeyState(0, null, null);

  /** A state before any event with a link of the chain. */
  public KeyState(long revision, StoredValue value) {
    this(revision, value, null);
  }

  public boolean existsAt(Instant now) {
    return value != null && value.liveAt(now);
  }

  /** What a read of the key answers at {@code now}. */
  KeyReply read(Instant now) {
    return existsAt(now) ? new KeyReply.Found(revision, value) : new KeyReply.NotFound(revision);
  }

  /** The link the next event's follows: the last one, or the key's genesis. */
  ChainHash chainHead(String persistenceId) {
    return hash != null ? hash : ChainHash.genesis(persistenceId);
  }

  /** The event handler: the state after {@code event}. Names every event; one it does not know is a bug. */
  KeyState apply(KeyEvent event) {
    long next = revision + 1;
    if (event instanceof KeyEvent.ValuePut put) {
      return new KeyState(next, new StoredValue(put.value(), put.contentType(), put.expiresAt(), put.timestamp()),
          event.hash());
    }
    if (event instanceof KeyEvent.ValueReverted revert) {
      return new KeyState(next,
          new StoredValue(revert.value(), revert.contentType(), revert.expiresAt(), revert.timestamp()), event.hash());
    }
    if (event instanceof KeyEvent.CounterIncremented inc) {
      long before = value != null && value.counter() ? value.count() : 0;
      return new KeyState(next, StoredValue.counter(before + inc.by(), inc.timestamp()), event.hash());
    }
    if (event instanceof KeyEvent.ValueDeleted || event instanceof KeyEvent.ValueExpired) {
      return new KeyState(next, null, event.hash());
    }
    throw new IllegalStateException("no handler for event " + event.getClass().getName());
  }
}
