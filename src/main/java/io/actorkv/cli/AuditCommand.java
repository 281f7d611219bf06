package io.actorkv.cli;

import io.actorkv.audit.Audit;
import io.actorkv.audit.AuditReport;
import io.actorkv.base.FileFailures;
import io.actorkv.base.OutputFile;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.ChangeLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.ToIntBiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code actorkv audit verify|checkpoint|report}: the journal as an audit log, read from its database. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    header = "Verify, checkpoint or report the journal with no node running.",
    description = {"Read the journal straight from its database, with no node running: verify the keys' hash",
        "chains, write a checkpoint of their heads, or report who changed what and when. See docs/audit.md.",
        "Exit code: 0 intact, 1 tampered, 2 could not read."},
    subcommands = {AuditCommand.Verify.class, AuditCommand.CheckpointCommand.class, AuditCommand.Report.class})
final class AuditCommand {

  /** Where the journal is and which namespace to read. */
  static final class Source extends DatabaseOptions {
    @Option(names = "--namespace", paramLabel = "NS", description = "Only this namespace (every incarnation of it).")
    String namespace;

    /** The audit, or null after saying why it cannot be. */
    Audit audit(PrintStream err) {
      if (namespace != null && !NamespaceDefinition.isValidName(namespace)) {
        err.println("--namespace: '" + namespace + "' is not a namespace name");
        return null;
      }
      JournalDatabase database = database(err, true);
      return database == null ? null
          : new Audit(database, Optional.ofNullable(namespace), err, System.console() != null);
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      header = "Recompute every key's hash chain; report where the journal disagrees.",
      description = {"An event is reported changed, removed, inserted or reordered; with --against, also keys",
          "cut back or gone since the checkpoint."})
  static final class Verify implements Callable<Integer> {
    @Mixin
    Source source;

    @Option(names = "--against", paramLabel = "FILE", description = "A checkpoint written by 'audit checkpoint'.")
    Path against;

    @Override
    public Integer call() {
      Audit audit = source.audit(System.err);
      try {
        return audit == null ? Audit.UNREADABLE : audit.verify(Optional.ofNullable(against), System.out);
      } finally {
        source.closeDatabase();
      }
    }
  }

  @Command(name = "checkpoint", mixinStandardHelpOptions = true,
      header = "Write every key's head (revision and hash) to keep elsewhere.",
      description = {"Keep it where the journal's writers cannot reach; 'verify --against' it later."})
  static final class CheckpointCommand implements Callable<Integer> {
    @Mixin
    Source source;

    @Option(names = "--out", paramLabel = "FILE", description = OUT)
    Path out;

    @Override
    public Integer call() {
      return print(source, out, "checkpoint", Audit::checkpoint);
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      header = "Every change of strong keys in journal order: who, when, what.",
      description = {"Values as their size and SHA-256 unless --values."})
  static final class Report implements Callable<Integer> {
    @Mixin
    Source source;

    @Option(names = "--since", paramLabel = "TIME", description = "Changes at or after TIME (2026-12-04 or an instant).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Changes before TIME.")
    String until;

    @Option(names = "--principal", paramLabel = "NAME", description = "Only changes made by NAME.")
    String principal;

    @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl (default) or csv.")
    String format = "jsonl";

    @Option(names = "--values", description = "Include values (base64).")
    boolean values;

    @Option(names = "--out", paramLabel = "FILE", description = OUT)
    Path out;

    @Override
    public Integer call() {
      AuditReport.Format f;
      ChangeLog.Filter filter;
      try {
        f = AuditReport.Format.valueOf(format.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        System.err.println("--format must be jsonl or csv, not '" + format + "'");
        return Audit.UNREADABLE;
      }
      try {
        filter = new ChangeLog.Filter(Optional.empty(), Optional.empty(), ChangeLog.Filter.time("--since", since),
            ChangeLog.Filter.time("--until", until), Optional.ofNullable(principal));
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return Audit.UNREADABLE;
      }
      return print(source, out, "report", (audit, to) -> audit.report(
          new BufferedWriter(new OutputStreamWriter(to, StandardCharsets.UTF_8)), f, filter, values));
    }
  }

  private static final String OUT = "Write to FILE instead of standard output: owner-only, whole or not at all "
      + "(as FILE.partial, renamed when complete); an existing FILE is refused.";

  /**
   * Runs {@code writing} with the source's audit, printing to {@code out}
   * (an {@link OutputFile}) or to standard output. Exit 2 if the audit
   * cannot be made, {@code out} exists or cannot be written, or a write
   * fails (a full disk): a {@link PrintStream} keeps its failures to itself
   * until asked.
   */
  private static int print(Source source, Path out, String what, ToIntBiFunction<Audit, PrintStream> writing) {
    try {
      if (out != null) OutputFile.requireAbsent(out);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      return Audit.UNREADABLE;
    }
    Audit audit = source.audit(System.err);
    if (audit == null) return Audit.UNREADABLE;
    try {
      if (out == null) {
        int code = writing.applyAsInt(audit, System.out);
        System.out.flush();
        return System.out.checkError() ? cannotWrite(what, "standard output") : code;
      }
      try (OutputFile file = OutputFile.create(out)) {
        PrintStream to = new PrintStream(file.stream(), false, StandardCharsets.UTF_8);
        int code = writing.applyAsInt(audit, to);
        to.flush();
        if (to.checkError()) return cannotWrite(what, out.toString());
        if (code == Audit.INTACT) file.commit();
        return code;
      } catch (IOException e) {
        System.err.println("cannot write the " + what + ": " + FileFailures.describe(e));
        return Audit.UNREADABLE;
      }
    } finally {
      source.closeDatabase();
    }
  }

  private static int cannotWrite(String what, String where) {
    System.err.println("cannot write the " + what + " to " + where + " (is the disk full?)");
    return Audit.UNREADABLE;
  }
}
