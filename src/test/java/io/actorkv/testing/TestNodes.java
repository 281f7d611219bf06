package io.actorkv.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Starts nodes inside the test JVM on free loopback ports. Nodes started here
 * do not leave the cluster when their actor system is terminated
 * ({@link #crash}), so a test can stop one as hard as a killed process;
 * {@link Node#close()} still leaves gracefully.
 */
public final class TestNodes {

  /** Quick failure detection and downing, so cluster tests take seconds, not minutes. */
  public static final Config FAST_CLUSTER = ConfigFactory.parseString("""
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.run-coordinated-shutdown-when-down = off
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.cluster.failure-detector.heartbeat-interval = 500ms
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.split-brain-resolver.stable-after = 2s
      pekko.cluster.sharding.retry-interval = 500ms
      pekko.cluster.sharding.rebalance-interval = 2s
      actorkv.http.drain-time = 0s
      """);

  private TestNodes() {}

  public static Map<Setting, Object> settings(Path dataDir, String dbUrl, List<String> seeds) {
    Map<Setting, Object> s = new EnumMap<>(Setting.class);
    s.put(Setting.DATA_DIR, dataDir.toString());
    s.put(Setting.HTTP_PORT, 0);
    s.put(Setting.REMOTE_PORT, FreePorts.next());
    s.put(Setting.MANAGEMENT_PORT, FreePorts.next());
    if (dbUrl != null) {
      s.put(Setting.DB_URL, dbUrl);
      s.put(Setting.DB_USER, "postgres");
      s.put(Setting.DB_PASSWORD, "postgres");
    } else {
      s.put(Setting.JOURNAL, "h2"); // the embedded default has tests of its own (EmbeddedPostgresJournalTest)
    }
    if (!seeds.isEmpty()) s.put(Setting.SEEDS, seeds);
    return s;
  }

  /**
   * The settings of a cluster's nodes, one per data directory, on the
   * journal at {@code dbUrl} (H2 of each node's own if null): the first
   * node is its own seed and forms the cluster, the others join it.
   */
  public static List<Map<Setting, Object>> cluster(String dbUrl, Path... dataDirs) {
    List<Map<Setting, Object>> nodes = new ArrayList<>();
    Map<Setting, Object> first = settings(dataDirs[0], dbUrl, List.of());
    first.put(Setting.SEEDS, List.of(remoteAddress(first)));
    nodes.add(first);
    for (int i = 1; i < dataDirs.length; i++) nodes.add(settings(dataDirs[i], dbUrl, List.of(remoteAddress(first))));
    return nodes;
  }

  public static Node start(Map<Setting, Object> settings, Config extra) {
    return Node.start(NodeConfig.of(settings, extra.withFallback(FAST_CLUSTER)));
  }

  /** A single node on an embedded H2 journal in {@code dataDir}. */
  public static Node single(Path dataDir) {
    return start(settings(dataDir, null, List.of()), ConfigFactory.empty());
  }

  /** A single node on the given PostgreSQL database. */
  public static Node single(Path dataDir, String dbUrl) {
    return start(settings(dataDir, dbUrl, List.of()), ConfigFactory.empty());
  }

  /**
   * A single node on a fresh PostgreSQL database that it reaches only
   * through {@code proxy}, so the test can freeze or cut its journal.
   */
  public static Node behind(TcpProxy proxy, Path dataDir, Config extra) {
    return start(settings(dataDir, TestPostgres.jdbcUrl(TestPostgres.newDatabase(), proxy.port()), List.of()), extra);
  }

  /**
   * Starts the nodes of {@link #cluster} with {@code extra} and returns once
   * every one sees all of them Up; stops those started if that fails.
   */
  public static List<Node> startCluster(String dbUrl, Config extra, Path... dataDirs) {
    List<Node> nodes = new ArrayList<>();
    try {
      for (Map<Setting, Object> s : cluster(dbUrl, dataDirs)) nodes.add(start(s, extra));
      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> upMembers(n) == dataDirs.length));
      return nodes;
    } catch (RuntimeException | Error e) {
      nodes.forEach(Node::close);
      throw e;
    }
  }

  /**
   * Stops the node without leaving the cluster: peers see it vanish, as after SIGKILL.
   * A node that has not stopped in 2 minutes is left running, with its
   * threads' stacks on stderr, so that the test's own verdict stands and the
   * build goes on (a downed node once never terminated, and CI waited).
   */
  public static void crash(Node node) {
    node.system().terminate();
    try {
      node.whenStopped().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      StringBuilder dump = new StringBuilder("node " + node.system().address()
          + " did not stop within 2 minutes; left running. Threads:\n");
      Thread.getAllStackTraces().forEach((thread, stack) -> {
        dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
        for (StackTraceElement frame : stack) dump.append("    at ").append(frame).append('\n');
      });
      System.err.print(dump);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("node " + node.system().address() + " failed to stop", e.getCause());
    }
  }

  public static CurrentClusterState clusterState(Node node) {
    return Cluster.get(node.system()).state();
  }

  /** How many members this node sees Up, itself included. */
  public static long upMembers(Node node) {
    return StreamSupport.stream(clusterState(node).getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  /**
   * Test mode's partition switch: {@code POST} cuts {@code node} off from
   * {@code peer} (one direction), {@code DELETE} heals that.
   */
  public static HttpResponse<String> blackhole(Node node, String method, Map<Setting, Object> peer) {
    return new KvClient(node.httpPort()).send(method, "/test/v1/blackhole?peer=" + remoteAddress(peer), null);
  }

  public static String remoteAddress(Map<Setting, Object> settings) {
    return "127.0.0.1:" + settings.get(Setting.REMOTE_PORT);
  }
}
