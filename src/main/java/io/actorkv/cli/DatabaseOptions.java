package io.actorkv.cli;

import io.actorkv.config.ActorKvSettings.Journal;
import io.actorkv.journal.EmbeddedPostgresServer;
import io.actorkv.journal.JournalDatabase;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the journal's database is, for the commands that open it with no
 * node running. A command that opened it calls {@link #closeDatabase()} when
 * done: that stops an embedded PostgreSQL server started for it. A command
 * stopped by a signal (SIGTERM, Ctrl-C) stops it from a shutdown hook, since
 * the server would outlive the JVM.
 */
class DatabaseOptions {

  @Option(names = "--db-url", paramLabel = "URL",
      description = "PostgreSQL JDBC URL of the journal. Without it: the embedded journal in --data-dir "
          + "(stop its node first: one process at a time opens it).")
  String dbUrl = "";

  @Option(names = "--journal", paramLabel = "embedded-postgres|h2",
      description = "The embedded journal to create in a new --data-dir (default embedded-postgres). "
          + "An existing data directory keeps the journal it has.")
  String journal = Journal.EMBEDDED_POSTGRES.value();

  private JournalDatabase opened;
  private Thread closeOnExit;

  @Option(names = "--db-user", paramLabel = "USER", description = "Database user.")
  String dbUser = "";

  @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password.")
  String dbPassword = "";

  @Option(names = "--data-dir", paramLabel = "DIR", description = "The node's data directory (default ./data).")
  Path dataDir;

  /**
   * The database, or null after saying why it cannot be. {@code existing}:
   * the embedded journal must already be there (it is made otherwise).
   */
  JournalDatabase database(PrintStream err, boolean existing) {
    if (!dbUrl.isEmpty() && dataDir != null) {
      err.println("give --db-url or --data-dir, not both");
      return null;
    }
    if (dataDir != null && dataDir.toString().isBlank()) {
      err.println("--data-dir must name a directory, not be empty");
      return null;
    }
    Path dir = dataDir == null ? Path.of("data") : dataDir;
    if (dbUrl.isEmpty() && existing && JournalDatabase.embeddedIn(dir.toAbsolutePath().normalize()).isEmpty()) {
      err.println("no embedded journal in " + dir.toAbsolutePath() + " (give --data-dir, or --db-url)");
      return null;
    }
    try {
      JournalDatabase database = JournalDatabase.open(dbUrl, dbUser, dbPassword, dir, Journal.parse(journal));
      synchronized (this) {
        opened = database;
        closeOnExit = new Thread(() -> {
          err.println("stopped before it finished: closing the journal");
          closeDatabase();
        }, "actorkv-journal-close");
        Runtime.getRuntime().addShutdownHook(closeOnExit);
        database.server().ifPresent(EmbeddedPostgresServer::stopsWithItsOwner);
      }
      return database;
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      err.println(e.getMessage());
      return null;
    }
  }

  /** Stops the embedded journal's server if {@link #database} started one; once. */
  synchronized void closeDatabase() {
    if (opened == null) return;
    opened.close();
    opened = null;
    if (closeOnExit != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(closeOnExit);
      } catch (IllegalStateException exiting) {
        // the JVM is running its hooks: this one finds the database closed
      }
    }
  }
}
