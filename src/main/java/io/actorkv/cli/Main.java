package io.actorkv.cli;

import io.actorkv.client.BenchCommand;
import io.actorkv.client.HttpCeilingCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** {@code java -jar actorkv.jar [command]}: with no command, {@code serve}. */
@Command(name = "actorkv", mixinStandardHelpOptions = true, version = "ActorKV 0.2.0", scope = ScopeType.INHERIT,
    description = {"A distributed key-value store where every key is a sharded, event-sourced Pekko actor.",
        "With no command, serve."},
    subcommands = {ServeCommand.class, AuditCommand.class, BackupCommand.class, RestoreCommand.class,
        VerifyHistoryCommand.class, TokenCommand.class, BenchCommand.class, HttpCeilingCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

  /** A system property logback.xml reads: where the text appender writes. */
  static final String LOG_TARGET_PROPERTY = "actorkv-log.target";

  @Override
  public Integer call() {
    return new CommandLine(new ServeCommand()).execute();
  }

  /** Runs the command; a command that succeeded but whose output could not be written (a full disk) exits 2. */
  public static void main(String[] args) {
    // Before anything logs: a command's results go to stdout (audit report > file), so its log lines do not.
    if (args.length > 0 && !args[0].equals("serve")) System.setProperty(LOG_TARGET_PROPERTY, "System.err");
    int code = new CommandLine(new Main()).execute(args);
    System.out.flush();
    if (code == 0 && System.out.checkError()) {
      System.err.println("actorkv: standard output could not be written (is the disk full?)");
      code = 2;
    }
    System.exit(code);
  }
}
