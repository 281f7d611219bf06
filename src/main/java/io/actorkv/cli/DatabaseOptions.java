package io.actorkv.cli;

import io.actorkv.journal.JournalDatabase;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the journal's database is, for the commands that open it with no node running. */
class DatabaseOptions {

  @Option(names = "--db-url", paramLabel = "URL",
      description = "PostgreSQL JDBC URL of the journal. Without it: the embedded H2 journal in --data-dir "
          + "(stop its node first: H2 lets one process open it).")
  String dbUrl = "";

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
    Path dir = dataDir == null ? Path.of("data") : dataDir;
    if (dbUrl.isEmpty() && existing && !Files.isRegularFile(dir.resolve("journal").resolve("actorkv.mv.db"))) {
      err.println("no embedded journal in " + dir.toAbsolutePath() + " (give --data-dir, or --db-url)");
      return null;
    }
    try {
      return JournalDatabase.of(dbUrl, dbUser, dbPassword, dir);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return null;
    }
  }
}
