package io.actorkv.audit;

import com.typesafe.config.Config;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.store.Change;
import io.actorkv.store.ChangeLog;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.KeyJournal;
import io.actorkv.strong.KeyEntity;
import io.actorkv.strong.KeyJournalSerializer;
import io.actorkv.strong.ValueSeal;
import java.io.NotSerializableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChangeLog} read from the journal's table by its ordering
 * column, with no tags, so writers pay nothing for it.
 *
 * <p>The ordering column is filled from a sequence when a row is inserted,
 * not when it commits: offset 11 can be visible while a slower transaction
 * still holds 10. So a reader goes on only over offsets it has seen, and
 * stops before a missing one (a gap) until the gap is settled: the offset
 * appears, or the gap has lasted {@code gap-timeout}: this reader has looked
 * at it that long, or the row after it was written that long ago. A gap that
 * settles without its row is a write that failed or rolled back, or rows
 * retention deleted. Gaps are looked for across every namespace's rows, so a
 * namespace's reader never mistakes another namespace's write for a hole.
 */
public final class JournalFeed implements ChangeLog {

  private static final Logger log = LoggerFactory.getLogger(JournalFeed.class);

  /** How the feed reads: see {@code actorkv.feed} in application.conf. */
  public record Settings(Duration pollInterval, Duration gapTimeout, Duration retryDelay, int rowsPerRead,
                         long bytesPerRead) {
    public static Settings from(Config root) {
      Config c = root.getConfig("actorkv.feed");
      return new Settings(c.getDuration("poll-interval"), c.getDuration("gap-timeout"),
          c.getDuration("retry-delay"), c.getInt("rows-per-read"), c.getBytes("bytes-per-read"));
    }
  }

  /** What one read of the table found, and whether it stopped before a gap that is not settled. */
  private record Scan(List<Entry> entries, long position, boolean atGap, boolean more) {}

  /** A follower's place: its position, and since when (epoch ms) it has waited at the gap after it, or -1. */
  private record Place(long position, long gapSince) {
    Place after(Scan scan, long now) {
      if (!scan.atGap()) return new Place(scan.position(), -1);
      return new Place(scan.position(), scan.position() == position && gapSince >= 0 ? gapSince : now);
    }
  }

  private final JournalDatabase database;
  private final DataSource pool;
  private final Executor blocking;
  private final Clock clock;
  private final Settings settings;
  private final ValueSeal seal;
  private final String headSql;
  private final String readSql;

  /**
   * @param blocking where the JDBC calls run; @param pool connections of the feed's own; @param seal opens the
   *     values a namespace's changes show (the key index, fed from all namespaces, keeps them sealed)
   */
  public JournalFeed(JournalDatabase database, DataSource pool, Executor blocking, Clock clock, Settings settings,
                     ValueSeal seal) {
    this.database = database;
    this.seal = seal;
    this.pool = pool;
    this.blocking = blocking;
    this.clock = clock;
    this.settings = settings;
    String ordering = database.name("ordering");
    String pid = database.name("persistence_id");
    String table = database.name("event_journal");
    this.headSql = "SELECT COALESCE(MAX(" + ordering + "), 0) FROM " + table;
    // Every row's ordering (gaps are gaps in all of them); the payload only of the namespace's rows.
    this.readSql = "SELECT " + ordering + ", " + pid + ", " + database.name("sequence_number") + ", "
        + database.name("write_timestamp") + ", " + database.name("deleted") + ", "
        + database.name("event_ser_id") + ", " + database.name("event_ser_manifest") + ", CASE WHEN " + pid
        + " LIKE ? ESCAPE '!' THEN " + database.name("event_payload") + " END FROM " + table
        + " WHERE " + ordering + " > ? ORDER BY " + ordering + " LIMIT ?";
  }

  @Override
  public CompletionStage<Long> head() {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = pool.getConnection(); PreparedStatement select = c.prepareStatement(headSql);
           ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      } catch (SQLException e) {
        throw new Unavailable(e);
      }
    }, blocking);
  }

  @Override
  public CompletionStage<Page> page(String namespace, long after, int limit, Filter filter) {
    return page(namespace, after, -1, limit, filter);
  }

  /**
   * {@link #page} over the changes of every strong namespace (each entry
   * names its namespace as stored): what the key index is fed from.
   * {@code nothingWrites}: no write is in progress, so a missing offset is
   * passed over at once, without waiting the gap timeout.
   */
  CompletionStage<Page> pageOfAll(long after, int limit, boolean nothingWrites) {
    return page(null, after, nothingWrites ? 0 : -1, limit, Filter.ALL);
  }

  /** One {@link #scan} as a page; {@code gapSince} as there. */
  private CompletionStage<Page> page(String namespace, long after, long gapSince, int limit, Filter filter) {
    return scan(namespace, after, gapSince, limit, filter)
        .thenApply(scan -> new Page(scan.entries(), scan.position(), scan.more()));
  }

  @Override
  public Source<Entry, NotUsed> follow(String namespace, long after, Filter filter) {
    return Source.unfoldAsync(new Place(after, -1), place -> step(namespace, place, filter))
        .mapConcat(entries -> entries);
  }

  /** One read of a follower: what it found, at once; or after the poll interval when nothing moved. */
  private CompletionStage<Optional<Pair<Place, List<Entry>>>> step(String namespace, Place place, Filter filter) {
    return scan(namespace, place.position(), place.gapSince(), settings.rowsPerRead(), filter)
        .thenCompose(scan -> {
          Place next = place.after(scan, clock.millis());
          Optional<Pair<Place, List<Entry>>> result = Optional.of(Pair.create(next, scan.entries()));
          return scan.position() > place.position() ? CompletableFuture.completedFuture(result)
              : later(settings.pollInterval(), result);
        })
        .exceptionallyCompose(failure -> {
          log.warn("the change feed of {} could not read the journal after offset {}; trying again in {}",
              namespace, place.position(), settings.retryDelay(), failure);
          return later(settings.retryDelay(), Optional.of(Pair.create(place, List.of())));
        });
  }

  private <T> CompletionStage<T> later(Duration delay, T value) {
    return CompletableFuture.supplyAsync(() -> value,
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, blocking));
  }

  /**
   * Reads rows after {@code after}, goes on over each one that follows the
   * last or whose gap is settled, and keeps the namespace's changes that
   * pass {@code filter}: at most {@code limit} of them, and about
   * {@code bytes-per-read} of values. A null {@code namespace}: every
   * strong namespace's.
   */
  private CompletionStage<Scan> scan(String namespace, long after, long gapSince, int limit, Filter filter) {
    return CompletableFuture.supplyAsync(() -> {
      String prefix = namespace == null ? "kv|" : "kv|" + namespace + "|";
      List<Entry> entries = new ArrayList<>();
      long position = after;
      long bytes = 0;
      long now = clock.millis();
      long settledBefore = now - settings.gapTimeout().toMillis();
      boolean more;
      try (Connection c = pool.getConnection()) {
        // PostgreSQL streams a result with a fetch size only inside a transaction.
        c.setAutoCommit(false);
        try (PreparedStatement select = c.prepareStatement(readSql)) {
          select.setFetchSize(64);
          select.setString(1, JournalRows.likeLiteral(prefix) + "%");
          select.setLong(2, after);
          select.setInt(3, settings.rowsPerRead());
          try (ResultSet rs = select.executeQuery()) {
            int rows = 0;
            while (rs.next()) {
              rows++;
              long ordering = rs.getLong(1);
              if (ordering != position + 1) {
                boolean settled = rs.getLong(4) <= settledBefore || (gapSince >= 0 && gapSince <= settledBefore);
                if (!settled) return new Scan(entries, position, true, false);
              }
              position = ordering;
              byte[] payload = rs.getBytes(8);
              if (payload == null || rs.getBoolean(5)) continue;
              String id = rs.getString(2);
              String ns = namespace != null ? namespace : id.substring(prefix.length(), id.indexOf('|', prefix.length()));
              String key = id.substring(namespace != null ? prefix.length() : prefix.length() + ns.length() + 1);
              if (!filter.acceptsKey(key)) continue;
              long revision = rs.getLong(3);
              Entry entry = entry(ns, key, ordering, revision, rs.getInt(6), rs.getString(7), payload,
                  namespace != null ? seal : null);
              if (!filter.accepts(key, entry.change())) continue;
              entries.add(entry);
              bytes += payload.length;
              if (entries.size() >= limit || bytes >= settings.bytesPerRead()) {
                return new Scan(entries, position, false, true);
              }
            }
            more = rows == settings.rowsPerRead();
          }
        } finally {
          c.rollback();
        }
      } catch (SQLException e) {
        throw new Unavailable(e);
      }
      return new Scan(entries, position, false, more);
    }, blocking);
  }

  /**
   * A change as the feed shows it, its value opened by {@code opener} (null:
   * left sealed); an event that cannot be read is shown as such, not skipped.
   */
  private static Entry entry(String namespace, String key, long offset, long revision, int serializerId,
                             String manifest, byte[] payload, ValueSeal opener) {
    try {
      KeyEvent stored = KeyJournalSerializer.decode(serializerId, manifest, payload);
      KeyEvent event = opener == null ? stored
          : opener.open(KeyEntity.persistenceIdPrefix(namespace) + key, revision, stored);
      boolean sealed = event instanceof KeyEvent.ValuePut p ? p.sealed()
          : event instanceof KeyEvent.ValueReverted r && r.sealed();
      byte[] value = event instanceof KeyEvent.ValuePut p ? p.value()
          : event instanceof KeyEvent.ValueReverted r ? r.value() : null;
      return new Entry(offset, namespace, key, KeyJournal.change(revision, event), value, sealed);
    } catch (NotSerializableException | RuntimeException e) {
      log.error("event {} of key {} at offset {} cannot be read", revision, key, offset, e);
      return new Entry(offset, namespace, key,
          new Change(revision, "unreadable", null, null, null, null, null, null, null, null, null), null);
    }
  }
}
