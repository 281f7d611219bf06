package io.actorkv.strong;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A key's state: its revision (number of events so far), its value, or
 * {@code null} after a delete or expiry, the last link of its hash chain
 * ({@code null} until its first event that has one), and the outcomes of its
 * recent writes that came with an idempotency key, oldest first. A value
 * whose expiry has passed but whose expire event is not yet written is
 * already absent to readers. Also the key's snapshot in the journal, so the
 * remembered outcomes outlive the events that retention deletes.
 */
public record KeyState(long revision, StoredValue value, ChainHash hash, List<Remembered> recent) {

  public static final KeyState EMPTY = new KeyState(0, null, null);

  /** Snapshots written before idempotency keys existed have no {@code recent}. */
  public KeyState {
    recent = recent == null ? List.of() : List.copyOf(recent);
  }

  /** A state that remembers no idempotency key. */
  public KeyState(long revision, StoredValue value, ChainHash hash) {
    this(revision, value, hash, List.of());
  }

  /** A state before any event with a link of the chain. */
  public KeyState(long revision, StoredValue value) {
    this(revision, value, null);
  }

  /**
   * What a write that came with idempotency key {@code key} answered, made
   * again from its event: {@code operation} is the event's stable name,
   * {@code created} whether a put or revert made the key exist, {@code count}
   * an increment's counter after it. The key is {@code principal}'s: another
   * principal's write with the same key is a write of its own. Null in
   * snapshots written before keys were scoped: such a key holds for every
   * principal, as it did then.
   */
  public record Remembered(String key, String fingerprint, Instant at, String operation, long revision,
                           boolean created, long count, String principal) {

    boolean sentBy(Idempotency idempotency, String by) {
      return key.equals(idempotency.key()) && (principal == null || principal.equals(by));
    }

    KeyReply reply() {
      return switch (operation) {
        case "kv.delete" -> new KeyReply.Deleted(revision);
        case "kv.increment" -> new KeyReply.Counted(revision, count);
        default -> new KeyReply.Stored(revision, created);
      };
    }
  }

  /**
   * The outcome recorded for {@code idempotency}'s key, sent by
   * {@code principal}, within {@code window} of {@code now}: the same outcome
   * if the fingerprint matches, else {@link KeyReply.IdempotencyKeyReused};
   * null if the key is not remembered.
   */
  KeyReply recall(Idempotency idempotency, String principal, Instant now, IdempotencyLimits limits) {
    if (idempotency == null) return null;
    for (int i = recent.size() - 1; i >= 0; i--) {
      Remembered r = recent.get(i);
      if (!r.sentBy(idempotency, principal) || !r.at().plus(limits.window()).isAfter(now)) continue;
      return r.fingerprint().equals(idempotency.fingerprint()) ? r.reply() : new KeyReply.IdempotencyKeyReused();
    }
    return null;
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

  /**
   * The event handler: the state after {@code event}. Names every event; one
   * it does not know is a bug. An event's idempotency key is remembered
   * within {@code limits}, measured from the event's own time, so replaying
   * the journal remembers what the live entity did.
   */
  KeyState apply(KeyEvent event, IdempotencyLimits limits) {
    long next = revision + 1;
    StoredValue after;
    if (event instanceof KeyEvent.ValuePut put) {
      after = new StoredValue(put.value(), put.contentType(), put.expiresAt(), put.timestamp(), false, put.sealed());
    } else if (event instanceof KeyEvent.ValueReverted revert) {
      after = new StoredValue(revert.value(), revert.contentType(), revert.expiresAt(), revert.timestamp(), false,
          revert.sealed());
    } else if (event instanceof KeyEvent.CounterIncremented inc) {
      long before = value != null && value.counter() ? value.count() : 0;
      after = StoredValue.counter(before + inc.by(), inc.timestamp());
    } else if (event instanceof KeyEvent.ValueDeleted || event instanceof KeyEvent.ValueExpired) {
      after = null;
    } else {
      throw new IllegalStateException("no handler for event " + event.getClass().getName());
    }
    return new KeyState(next, after, event.hash(), remember(event, next, after, limits));
  }

  /** {@link #recent} after {@code event}: its key added, those outside the window or the count dropped. */
  private List<Remembered> remember(KeyEvent event, long next, StoredValue after, IdempotencyLimits limits) {
    Idempotency idempotency = event.idempotency();
    if (recent.isEmpty() && (idempotency == null || limits.keysPerKey() == 0)) return recent;
    Instant oldest = event.timestamp().minus(limits.window());
    List<Remembered> kept = new ArrayList<>(recent.size() + 1);
    for (Remembered r : recent) {
      if (r.at().isAfter(oldest)) kept.add(r);
    }
    if (idempotency != null && limits.keysPerKey() > 0) {
      boolean created = !existsAt(event.timestamp());
      long count = after != null && after.counter() ? after.count() : 0;
      kept.add(new Remembered(idempotency.key(), idempotency.fingerprint(), event.timestamp(),
          KeyJournalSerializer.nameOf(event), next, created, count, event.principal()));
    }
    int over = kept.size() - limits.keysPerKey();
    return over > 0 ? kept.subList(over, kept.size()) : kept;
  }
}
