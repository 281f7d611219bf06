package io.actorkv;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.NodeConfig.Setting;
import io.actorkv.node.Node;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code actorkv serve}: runs a node until it is stopped (Ctrl-C / SIGTERM leave the cluster gracefully). */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Start an ActorKV node. Every option can also be set by the environment variable named in its",
        "description, or in a HOCON file given by --config (keys under 'actorkv', see README.md).",
        "Precedence: option, then environment, then --config file, then built-in default."})
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered over the defaults.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Directory for the embedded journal and other node data (ACTORKV_DATA_DIR; default ./data).")
  Path dataDir;

  @Option(names = "--http-host", paramLabel = "HOST",
      description = "Address the HTTP API and management bind to (ACTORKV_HTTP_HOST; default 127.0.0.1).")
  String httpHost;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "HTTP API port (ACTORKV_HTTP_PORT; default 8080; 0 picks a free one).")
  Integer httpPort;

  @Option(names = "--remote-host", paramLabel = "HOST",
      description = "Address other nodes reach this one at (ACTORKV_REMOTE_HOST; default 127.0.0.1).")
  String remoteHost;

  @Option(names = "--remote-port", paramLabel = "PORT",
      description = "Cluster (Artery TCP) port (ACTORKV_REMOTE_PORT; default 25520).")
  Integer remotePort;

  @Option(names = "--management-port", paramLabel = "PORT",
      description = "Pekko Management port: /ready, /alive, /cluster/members (ACTORKV_MANAGEMENT_PORT; default 8558).")
  Integer managementPort;

  @Option(names = "--seed", paramLabel = "HOST:PORT",
      description = "Remote address of a seed node; repeat for several (ACTORKV_SEEDS, comma-separated). "
          + "None: this node forms a cluster by itself.")
  List<String> seeds;

  @Option(names = "--db-url", paramLabel = "URL",
      description = "PostgreSQL JDBC URL of the shared journal (ACTORKV_DB_URL). "
          + "None: an embedded H2 database in the data directory (single node only).")
  String dbUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "Database user (ACTORKV_DB_USER).")
  String dbUser;

  @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (ACTORKV_DB_PASSWORD).")
  String dbPassword;

  @Option(names = "--max-value-bytes", paramLabel = "BYTES",
      description = "Largest value a PUT may store (ACTORKV_MAX_VALUE_BYTES; default 1048576).")
  Long maxValueBytes;

  @Option(names = "--test-mode",
      description = "For fault-injection tests only, never in production: serve /test/v1/blackhole, which cuts "
          + "this node off from a peer (ACTORKV_TEST_MODE=on; default off).")
  Boolean testMode;

  @Override
  public Integer call() {
    Map<Setting, Object> options = new EnumMap<>(Setting.class);
    put(options, Setting.DATA_DIR, dataDir);
    put(options, Setting.HTTP_HOST, httpHost);
    put(options, Setting.HTTP_PORT, httpPort);
    put(options, Setting.REMOTE_HOST, remoteHost);
    put(options, Setting.REMOTE_PORT, remotePort);
    put(options, Setting.MANAGEMENT_PORT, managementPort);
    put(options, Setting.SEEDS, seeds);
    put(options, Setting.DB_URL, dbUrl);
    put(options, Setting.DB_USER, dbUser);
    put(options, Setting.DB_PASSWORD, dbPassword);
    put(options, Setting.MAX_VALUE_BYTES, maxValueBytes);
    put(options, Setting.TEST_MODE, testMode);
    // A process that runs a node exits with it, so a downed node's supervisor restarts it.
    Config processWide = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on");
    Config loaded = processWide.withFallback(NodeConfig.load(options, System.getenv(), config));
    Node node = Node.start(loaded);
    node.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  private static void put(Map<Setting, Object> options, Setting setting, Object value) {
    if (value != null) options.put(setting, value);
  }
}
