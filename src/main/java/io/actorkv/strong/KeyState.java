package io.actorkv.strong;

import java.time.Instant;

/**
 * A key's state: its revision (number of events so far) and its value, or
 * {@code null} after a delete or expiry. A value whose expiry has passed but
 * whose expire event is not yet written is already absent to readers. Also
 * the key's snapshot in the journal.
 */
public record KeyState(long revision, StoredValue value) {

  public static final KeyState EMPTY = new KeyState(0, null);

  public boolean existsAt(Instant now) {
    return value != null && value.liveAt(now);
  }

  /** What a read of the key answers at {@code now}. */
  KeyReply read(Instant now) {
    return existsAt(now) ? new KeyReply.Found(revision, value) : new KeyReply.NotFound(revision);
  }

  /** The event handler: the state after {@code event}. Names every event; one it does not know is a bug. */
  KeyState apply(KeyEvent event) {
    if (event instanceof KeyEvent.ValuePut put) {
      return new KeyState(revision + 1,
          new StoredValue(put.value(), put.contentType(), put.expiresAt(), put.timestamp()));
    }
    if (event instanceof KeyEvent.CounterIncremented inc) {
      long before = value != null && value.counter() ? value.count() : 0;
      return new KeyState(revision + 1, StoredValue.counter(before + inc.by(), inc.timestamp()));
    }
    if (event instanceof KeyEvent.ValueDeleted || event instanceof KeyEvent.ValueExpired) {
      return new KeyState(revision + 1, null);
    }
    throw new IllegalStateException("no handler for event " + event.getClass().getName());
  }
}
