package io.actorkv.audit;

import io.actorkv.base.Meter;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.store.ChangeLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The journal as an audit log, read straight from its database with no
 * cluster running: verify every strong key's hash chain (against a
 * checkpoint too), write a checkpoint of every key's head, report who changed
 * what and when. Each shows its progress on {@code progress} (stderr) and
 * answers an exit code: 0 intact, 1 tampered, 2 could not read.
 */
public final class Audit {

  public static final int INTACT = 0;
  public static final int TAMPERED = 1;
  public static final int UNREADABLE = 2;

  private final JournalDatabase database;
  private final Optional<String> namespace;
  private final PrintStream progress;
  private final boolean terminal;

  public Audit(JournalDatabase database, Optional<String> namespace, PrintStream progress, boolean terminal) {
    this.database = database;
    this.namespace = namespace;
    this.progress = progress;
    this.terminal = terminal;
  }

  /** Checks every chain; prints each finding to {@code out} as it is found, then a summary. */
  public int verify(Optional<Path> against, PrintStream out) {
    Map<String, Checkpoint.Head> heads;
    try {
      heads = against.isPresent() ? Checkpoint.read(against.get()) : Map.of();
    } catch (IOException e) {
      out.println("cannot read the checkpoint: " + e.getMessage());
      return UNREADABLE;
    }
    ChainAudit audit = new ChainAudit(heads, finding -> out.println("TAMPERED " + finding));
    Meter meter = meter("verified");
    try (JournalRows rows = new JournalRows(database)) {
      rows.read(namespace, JournalRows.Order.BY_KEY, row -> {
        audit.row(row);
        meter.tick();
      });
    } catch (Exception e) {
      meter.stop();
      out.println("cannot read the journal: " + e.getMessage());
      return UNREADABLE;
    }
    meter.done();
    ChainAudit.Result result = audit.finish(namespace);
    out.println((result.intact() ? "INTACT: " : "TAMPERED: " + result.findings().size() + " findings; ")
        + result.events() + " events of " + result.keys() + " keys verified"
        + (result.unchained() > 0 ? ", " + result.unchained() + " written before 0.2 without a link" : "")
        + (result.anchored() > 0 ? ", " + result.anchored() + " keys anchored where retention deleted older events"
            : "")
        + (against.isPresent() ? ", against " + against.get() : ""));
    noteIfNoKeys(result.keys());
    return result.intact() ? INTACT : TAMPERED;
  }

  /** A namespace asked for that no key has an event of is more likely a misspelt name than an empty one. */
  private void noteIfNoKeys(long keys) {
    if (keys == 0) {
      namespace.ifPresent(ns -> progress.println("note: no key of namespace '" + ns + "' has an event in this "
          + "journal; is the name right?"));
    }
  }

  /** Writes every key's head (revision and link) to {@code out}. */
  public int checkpoint(PrintStream out) {
    Meter meter = meter("read");
    Checkpoint.writeHeader(out);
    String[] key = {null};
    long[] revision = {0};
    String[] hash = {null};
    long[] heads = {0};
    try (JournalRows rows = new JournalRows(database)) {
      rows.read(namespace, JournalRows.Order.BY_KEY, row -> {
        if (!row.persistenceId().equals(key[0])) {
          if (key[0] != null && hash[0] != null) {
            Checkpoint.writeHead(out, key[0], revision[0], hash[0]);
            heads[0]++;
          }
          key[0] = row.persistenceId();
          hash[0] = null;
        }
        revision[0] = row.revision();
        hash[0] = row.event() == null || row.event().hash() == null ? null : row.event().hash().hex();
        meter.tick();
      });
      if (key[0] != null && hash[0] != null) {
        Checkpoint.writeHead(out, key[0], revision[0], hash[0]);
        heads[0]++;
      }
      Checkpoint.writeEnd(out, heads[0]);
      noteIfNoKeys(heads[0]);
    } catch (Exception e) {
      meter.stop();
      progress.println("cannot read the journal: " + e.getMessage());
      return UNREADABLE;
    }
    meter.done();
    return INTACT;
  }

  /** Streams who changed what and when to {@code out}. */
  public int report(Writer out, AuditReport.Format format, ChangeLog.Filter filter, boolean values) {
    Meter meter = meter("read");
    try (JournalRows rows = new JournalRows(database)) {
      AuditReport report = new AuditReport(out, format, filter, values);
      rows.read(namespace, JournalRows.Order.BY_JOURNAL, row -> {
        report.row(row);
        meter.tick();
      });
      out.flush();
    } catch (Exception e) {
      meter.stop();
      progress.println("cannot read the journal: " + e.getMessage());
      return UNREADABLE;
    }
    meter.done();
    return INTACT;
  }

  private Meter meter(String verb) {
    return new Meter(progress, terminal, "events", verb);
  }
}
