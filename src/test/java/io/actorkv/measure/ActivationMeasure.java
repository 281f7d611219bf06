package io.actorkv.measure;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * How fast a node brings strong keys back into memory: {@code keys} keys
 * are written, the node is stopped and started again on the same journal,
 * and {@code clients} threads read every key once, each read starting the
 * key's entity, which recovers it from the journal. Prints the rate of
 * these first reads and their p50 and p99, then the same for a second,
 * warm pass. One node in this JVM on the embedded PostgreSQL (or H2). All
 * of it {@code rounds} times, each round in a namespace of its own, so that
 * the later rounds run compiled code.
 *
 * <p>Usage: {@code ActivationMeasure [keys=5000] [clients=16] [postgresql|h2] [rounds=3]}
 */
public final class ActivationMeasure {

  private ActivationMeasure() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    boolean postgres = args.length <= 2 || args[2].equals("postgresql");
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Path dir = Files.createTempDirectory("activation-measure");
    String url = postgres ? TestPostgres.jdbcUrl(TestPostgres.newDatabase()) : null;
    Map<Setting, Object> settings = TestNodes.settings(dir, url, List.of());
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      // The JVM compiles the paths under the first rounds' load (on 2 cores for about a minute),
      // so a round's figures mean something once the ones before it agree.
      for (int round = 1; round <= rounds; round++) {
        System.out.printf(Locale.ROOT, "-- round %d of %d%n", round, rounds);
        String namespace = "load" + round;
        KvClient kv = new KvClient(node.httpPort());
        kv.putNamespace(namespace, "");
        pass(kv, namespace, keys, clients, "PUT", "written");
        node.close();
        node = TestNodes.start(settings, ConfigFactory.empty());
        kv = new KvClient(node.httpPort());
        pass(kv, namespace, keys, clients, "GET", "first reads (recovery)");
        pass(kv, namespace, keys, clients, "GET", "second reads (in memory)");
      }
    } finally {
      node.close();
      TempDirs.delete(dir);
    }
    System.exit(0);
  }

  /** Sends {@code method} once to each key from {@code clients} threads; prints the rate, p50 and p99. */
  private static void pass(KvClient kv, String namespace, int keys, int clients, String method, String name)
      throws Exception {
    Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(1), 3);
    AtomicInteger next = new AtomicInteger();
    double seconds = ClosedLoop.run(clients, Duration.ofHours(1), name, (client, iteration) -> {
      int k = next.getAndIncrement();
      if (k >= keys) return false;
      HttpRequest.Builder request = kv.request("/v1/kv/" + namespace + "/k-" + k);
      request = method.equals("PUT") ? request.PUT(HttpRequest.BodyPublishers.ofString("x".repeat(256)))
          : request.GET();
      long start = System.nanoTime();
      HttpResponse<String> r = kv.send(request.build());
      latency.recordValue(System.nanoTime() - start);
      if (r.statusCode() >= 300) throw new IllegalStateException(method + " answered " + r.statusCode());
      return true;
    });
    System.out.printf(Locale.ROOT, "%s: %d keys in %.2f s, %.0f/s, p50 %.1f ms, p99 %.1f ms%n", name, keys,
        seconds, keys / seconds, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6);
  }
}
