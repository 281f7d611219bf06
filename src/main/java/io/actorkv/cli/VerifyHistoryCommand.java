package io.actorkv.cli;

import io.actorkv.verify.HistoryVerifier;
import io.actorkv.verify.VerifyHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code actorkv verify-history}: checks recorded histories for linearizability. */
@Command(name = "verify-history", mixinStandardHelpOptions = true,
    header = "Check recorded operation histories for linearizability.",
    description = {
        "Prints, per file, 'FILE linearizable|not-linearizable|unknown', or 'FILE error: WHY'.",
        "Exit code: 0 all linearizable, 1 any not linearizable, 2 any unknown (time limit) or unreadable."})
final class VerifyHistoryCommand implements Callable<Integer> {

  @Option(names = "--format", required = true, paramLabel = "FORMAT",
      description = "History format: jepsen-etcd (one register, read/write/cas) or porcupine-kv (get/put/append).")
  String format;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Time limit per file; past it the verdict is unknown (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = {"-v", "--verbose"},
      description = "After each verdict, print the longest partial linearization found.")
  boolean verbose;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "History files.")
  List<Path> files;

  @Override
  public Integer call() {
    if (!HistoryVerifier.FORMATS.contains(format)) {
      System.err.println("unknown format '" + format + "'; expected one of " + HistoryVerifier.FORMATS);
      return VerifyHistory.EXIT_UNDECIDED;
    }
    if (timeoutSeconds < 1) {
      System.err.println("--timeout must be at least 1 second, not " + timeoutSeconds);
      return VerifyHistory.EXIT_UNDECIDED;
    }
    return VerifyHistory.run(format, files, System.out, Duration.ofSeconds(timeoutSeconds), verbose);
  }
}
