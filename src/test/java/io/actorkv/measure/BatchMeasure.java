package io.actorkv.measure;

import com.typesafe.config.ConfigFactory;
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
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Strong PUTs per second, one at a time against batched, at the same
 * concurrency. One node in this JVM on the embedded PostgreSQL (or H2);
 * {@code clients} threads each send, for {@code seconds}, either single PUTs
 * of 256-byte values to keys of their own (10,000 keys in all, as
 * {@code actorkv bench} uses), or batches of {@code batchSize} such PUTs to
 * different keys, each waiting for its answer before the next. A warm-up of
 * each kind runs first, unmeasured. Every PUT must be answered 200 or 201,
 * in a batch too; the rate counts PUTs, not requests.
 *
 * <p>Usage: {@code BatchMeasure [clients=32] [seconds=20] [batchSize=100] [postgresql|h2]}
 */
public final class BatchMeasure {

  private static final String VALUE = "x".repeat(256);
  private static final int KEYS = 10_000;

  private BatchMeasure() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    boolean postgres = args.length <= 3 || args[3].equals("postgresql");
    Path dir = Files.createTempDirectory("batch-measure");
    String url = postgres ? TestPostgres.jdbcUrl(TestPostgres.newDatabase()) : null;
    Node node = TestNodes.start(TestNodes.settings(dir, url, List.of()), ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      kv.putNamespace("load", "");
      run(kv, clients, 5, 1, "warm-up"); // the JIT and the journal's pool, not counted
      double single = run(kv, clients, seconds, 1, "single");
      run(kv, clients, 5, batchSize, "warm-up");
      double batched = run(kv, clients, seconds, batchSize, "batched");
      System.out.printf(Locale.ROOT, "strong PUT, %d clients, %d s each, %s: single %.0f/s, batches of %d "
              + "%.0f/s: %.1fx%n", clients, seconds, postgres ? "PostgreSQL" : "H2", single, batchSize, batched,
          batched / single);
    } finally {
      node.close();
      TempDirs.delete(dir);
    }
    System.exit(0);
  }

  /** PUTs per second that {@code clients} threads reach in {@code seconds}, {@code batchSize} to a request. */
  private static double run(KvClient kv, int clients, int seconds, int batchSize, String name) throws Exception {
    AtomicLong puts = new AtomicLong();
    int keys = KEYS / clients;
    double elapsed = ClosedLoop.run(clients, Duration.ofSeconds(seconds), name, (client, iteration) -> {
      long n = iteration * batchSize;
      if (batchSize == 1) {
        HttpResponse<String> r = kv.send(kv.request("/v1/kv/load/k-" + client + "-" + (n % keys))
            .PUT(HttpRequest.BodyPublishers.ofString(VALUE)).build());
        if (r.statusCode() >= 300) throw new IllegalStateException("PUT answered " + r.statusCode());
      } else {
        StringJoiner ops = new StringJoiner(",", "{\"operations\":[", "]}");
        for (int i = 0; i < batchSize; i++) {
          ops.add("{\"op\":\"put\",\"namespace\":\"load\",\"key\":\"k-" + client + "-" + ((n + i) % keys)
              + "\",\"value\":\"" + VALUE + "\"}");
        }
        HttpResponse<String> r = kv.send("POST", "/v1/batch", ops.toString(), "Content-Type", "application/json");
        if (r.statusCode() != 200 || r.body().contains("\"status\":5") || r.body().contains("\"status\":4")) {
          throw new IllegalStateException("batch answered " + r.statusCode() + ": " + r.body());
        }
      }
      puts.addAndGet(batchSize);
      return true;
    });
    double rate = puts.get() / elapsed;
    System.err.printf(Locale.ROOT, "%s: %,d PUTs, %.0f/s%n", name, puts.get(), rate);
    return rate;
  }
}
