package io.actorkv.strong;

import io.actorkv.base.Stages;
import io.actorkv.store.Change;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A key's events as the journal holds them, read with Pekko Persistence
 * Query (current events by persistence id), not from the entity's memory:
 * its history, and its state at a past revision.
 */
public final class KeyJournal {

  /** One event and the revision it made. */
  record Stored(long revision, KeyEvent event) {}

  private static final HexFormat HEX = HexFormat.of();

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  KeyJournal(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** The events of revisions {@code from} to {@code to}, both included, oldest first. */
  CompletionStage<List<Stored>> events(String persistenceId, long from, long to) {
    return Stages.direct(journal.currentEventsByPersistenceId(persistenceId, from, to)
        .map(KeyJournal::stored)
        .runWith(Sink.seq(), system));
  }

  private static Stored stored(EventEnvelope envelope) {
    if (!(envelope.event() instanceof KeyEvent event)) {
      throw new IllegalStateException("not a key's event at " + envelope.persistenceId() + " revision "
          + envelope.sequenceNr() + ": " + envelope.event().getClass().getName());
    }
    return new Stored(envelope.sequenceNr(), event);
  }

  /**
   * The key as it was at {@code revision}, folded from its last event at or
   * before it that sets the whole value (a put, revert, delete or expiry;
   * increments need the count before them), or from its first event. Null
   * when retention removed an event the fold needs.
   */
  CompletionStage<KeyState> stateAt(String persistenceId, long revision) {
    return events(persistenceId, 1, revision).thenApply(events -> {
      int start = events.isEmpty() || events.get(0).revision() != 1 ? -1 : 0;
      for (int i = events.size() - 1; i > start; i--) {
        if (!(events.get(i).event() instanceof KeyEvent.CounterIncremented)) {
          start = i;
          break;
        }
      }
      if (start < 0) return null;
      KeyState state = new KeyState(events.get(start).revision() - 1, null);
      for (Stored e : events.subList(start, events.size())) {
        if (e.revision() != state.revision() + 1) return null;
        state = state.apply(e.event(), IdempotencyLimits.NONE);
      }
      return state.revision() == revision ? state : null;
    });
  }

  /** The first revision the journal still holds of the key, up to {@code head}; head + 1 if none. */
  CompletionStage<Long> oldestKept(String persistenceId, long head) {
    return Stages.direct(journal.currentEventsByPersistenceId(persistenceId, 1, head)
            .take(1)
            .runWith(Sink.headOption(), system))
        .thenApply(first -> first.map(EventEnvelope::sequenceNr).orElse(head + 1));
  }

  /** How the history shows one event. */
  static Change change(Stored stored) {
    return change(stored.revision(), stored.event());
  }

  /**
   * How a history or an audit report shows the event of revision
   * {@code revision}. A value still sealed shows its plaintext's size and no
   * digest: a digest of the ciphertext would match no value a client holds.
   */
  public static Change change(long revision, KeyEvent e) {
    Stored stored = new Stored(revision, e);
    String hash = e.hash() == null ? null : e.hash().hex();
    if (e instanceof KeyEvent.ValuePut put) {
      return new Change(stored.revision(), "put", put.principal(), put.timestamp(), put.contentType(),
          size(put.value(), put.sealed()), digest(put.value(), put.sealed()), put.expiresAt().instant().orElse(null),
          null, null, hash);
    }
    if (e instanceof KeyEvent.ValueReverted revert) {
      return new Change(stored.revision(), "revert", revert.principal(), revert.timestamp(), revert.contentType(),
          size(revert.value(), revert.sealed()), digest(revert.value(), revert.sealed()),
          revert.expiresAt().instant().orElse(null), null, revert.from(), hash);
    }
    if (e instanceof KeyEvent.ValueDeleted delete) {
      return new Change(stored.revision(), "delete", delete.principal(), delete.timestamp(), null, null, null, null,
          null, null, hash);
    }
    if (e instanceof KeyEvent.CounterIncremented inc) {
      return new Change(stored.revision(), "increment", inc.principal(), inc.timestamp(), null, null, null, null,
          inc.by(), null, hash);
    }
    if (e instanceof KeyEvent.ValueExpired expire) {
      return new Change(stored.revision(), "expire", null, expire.timestamp(), null, null, null, null, null, null,
          hash);
    }
    throw new IllegalStateException("no history form for " + e.getClass().getName());
  }

  private static int size(byte[] value, boolean sealed) {
    return sealed ? ValueSeal.plainLength(value.length) : value.length;
  }

  private static String digest(byte[] value, boolean sealed) {
    return sealed ? null : sha256(value);
  }

  /** The SHA-256 of a value, in hex, as a history shows it instead of the value. */
  public static String sha256(byte[] value) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
