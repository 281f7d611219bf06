package io.actorkv.cli;

import io.actorkv.backup.Backup;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.namespace.NamespaceDefinition;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code actorkv backup}: one consistent, checksummed file of the journal's database. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    header = "Back up the journal and the cluster's secrets, consistently.",
    description = {"Write a consistent backup of the journal (events, tags, snapshots, the",
        "namespace registry) and the cluster's secrets to FILE, read in one snapshot",
        "while nodes may keep writing. Values of eventual namespaces live in each",
        "node's LMDB and are not included. See docs/operations.md.",
        "Exit code: 0 written, 2 not."})
final class BackupCommand extends DatabaseOptions implements Callable<Integer> {

  @Option(names = "--out", paramLabel = "FILE", required = true,
      description = "The backup file; written as FILE.partial and renamed when complete. Must not exist.")
  Path out;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Only this namespace's keys (every incarnation of it), with the namespace registry.")
  String namespace;

  @Override
  public Integer call() {
    if (namespace != null && !NamespaceDefinition.isValidName(namespace)) {
      System.err.println("--namespace: '" + namespace + "' is not a namespace name");
      return Backup.FAILED;
    }
    JournalDatabase database = database(System.err, true);
    if (database == null) return Backup.FAILED;
    try {
      return new Backup(database, Optional.ofNullable(namespace), System.err, System.console() != null)
          .write(out, System.out);
    } finally {
      closeDatabase();
    }
  }
}
