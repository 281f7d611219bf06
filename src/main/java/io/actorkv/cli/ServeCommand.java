package io.actorkv.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.ActorKvSettings.LogFormat;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.journal.JournalStartFailed;
import io.actorkv.node.Node;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.stream.BindFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code actorkv serve}: runs a node until it is stopped (Ctrl-C / SIGTERM
 * leave the cluster gracefully). Its options are made from
 * {@link NodeConfig.Setting}, one per setting.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, modelTransformer = ServeCommand.SettingOptions.class,
    header = "Start an ActorKV node (the command run when none is given).",
    description = {
        "Every option can also be set by the environment variable named in its description,",
        "or in a HOCON file given by --config (keys under 'actorkv', see README.md).",
        "Precedence: option, then environment, then --config file, then built-in default.",
        "Settings that cannot run a node (an unknown value, seeds with kubernetes discovery, ...) exit 2;",
        "a journal database out of reach at start, or an embedded journal that cannot start, exits 1."})
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered over the defaults.")
  Path config;

  @Spec
  CommandSpec spec;

  /** Adds an option for each setting, its help naming the environment variable and the default. */
  static final class SettingOptions implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      for (Setting s : Setting.values()) {
        OptionSpec.Builder option = OptionSpec.builder(s.option)
            .description(s.description + " (" + s.env + "; default " + NodeConfig.defaultText(s) + ")");
        if (s.type == List.class) {
          option.type(List.class).auxiliaryTypes(String.class);
        } else {
          option.type(s.type);
        }
        if (s.paramLabel != null) option.paramLabel(s.paramLabel);
        command.addOption(option.build());
      }
      return command;
    }
  }

  /** The settings given on the command line. */
  Map<Setting, Object> options() {
    Map<Setting, Object> options = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      Object value = spec.findOption(s.option).getValue();
      if (value != null && !(value instanceof List<?> l && l.isEmpty())) options.put(s, value);
    }
    return options;
  }

  /** The exit code for settings that cannot run a node, as for a bad option. */
  static final int BAD_SETTINGS = CommandLine.ExitCode.USAGE;

  /** System properties logback.xml reads: the appender (text or json) and the node's remote host:port. */
  static final String LOG_FORMAT_PROPERTY = "actorkv-log.format";
  static final String LOG_NODE_PROPERTY = "actorkv-log.node";

  @Override
  public Integer call() {
    Config loaded;
    ActorKvSettings settings;
    try {
      loaded = NodeConfig.load(options(), System.getenv(), config);
      settings = ActorKvSettings.from(loaded);
    } catch (IllegalArgumentException | ConfigException e) {
      spec.commandLine().getErr().println("actorkv serve: " + e.getMessage());
      return BAD_SETTINGS;
    }
    // Before anything logs: logback configures itself at the first logger, from these.
    System.setProperty(LOG_FORMAT_PROPERTY, settings.logFormat().value());
    System.setProperty(LOG_NODE_PROPERTY, settings.remoteHost() + ":" + settings.remotePort());
    // A process that runs a node exits with it, so a downed node's supervisor restarts it.
    String processWide = "pekko.coordinated-shutdown.exit-jvm = on\n"
        // Pekko prints its own early warnings to stdout as text; with json, stdout holds JSON only.
        + (settings.logFormat() == LogFormat.JSON ? "pekko.stdout-loglevel = OFF\n" : "");
    Node node;
    try {
      node = Node.start(ConfigFactory.parseString(processWide).withFallback(loaded));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      // Settings the node checks before it starts anything: a value limit over the frame size, a bad master key,
      // a data directory that cannot be made.
      spec.commandLine().getErr().println("actorkv serve: " + e.getMessage());
      return BAD_SETTINGS;
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        // A port that another process holds is found only once the node binds it.
        if (cause instanceof BindException || cause instanceof BindFailedException) {
          spec.commandLine().getErr().println("actorkv serve: a port of this node (--http-port, --management-port, "
              + "--remote-port) cannot be listened on: " + cause.getMessage());
          return BAD_SETTINGS;
        }
        // An embedded journal another process runs, or whose server refuses to start: exit 1, in one line.
        if (cause instanceof JournalStartFailed failed) {
          spec.commandLine().getErr().println("actorkv serve: " + failed.getMessage());
          return CommandLine.ExitCode.SOFTWARE;
        }
        // A database out of reach, or refusing the user: not a setting the node could check, so exit 1.
        if (cause instanceof SQLException sql) {
          spec.commandLine().getErr().println("actorkv serve: cannot use the journal's database: " + sql.getMessage());
          return CommandLine.ExitCode.SOFTWARE;
        }
      }
      throw e;
    }
    node.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
