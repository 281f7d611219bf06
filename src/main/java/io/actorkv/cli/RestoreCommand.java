package io.actorkv.cli;

import io.actorkv.backup.Restore;
import io.actorkv.journal.JournalDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code actorkv restore}: a backup into an empty database, all of it or nothing. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    header = "Load a backup into an empty database or a new data directory.",
    description = {"Load a backup written by 'actorkv backup' into an empty database (a new",
        "PostgreSQL database, or a new --data-dir) in one transaction: a truncated,",
        "changed or foreign file loads nothing. Run no node on the target meanwhile.",
        "See docs/operations.md. Exit code: 0 restored, 2 refused (nothing loaded)."})
final class RestoreCommand extends DatabaseOptions implements Callable<Integer> {

  @Parameters(paramLabel = "FILE", description = "The backup file.")
  Path file;

  @Override
  public Integer call() {
    // Before a new data directory's database is made for it.
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      System.err.println("restore refused: "
          + (Files.exists(file) ? file + " is not a file this process can read" : "no such file " + file));
      return Restore.REFUSED;
    }
    JournalDatabase database = database(System.err, false);
    if (database == null) return Restore.REFUSED;
    try {
      return new Restore(database, System.err, System.console() != null).restore(file, System.out);
    } finally {
      closeDatabase();
    }
  }
}
