package io.actorkv.measure;

import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Transactions per second and their latency, by the number of keys each
 * names. One node in this JVM on the embedded PostgreSQL (or H2);
 * {@code clients} threads each send, for {@code seconds} per size, one
 * transaction at a time that increments {@code n} keys chosen at random
 * among 10,000 (a compare on the first, so every one is a read-and-write),
 * or with {@code get} reads them (a transaction that only reads).
 * A warm-up of 5 s runs before each size, unmeasured. A transaction that
 * answers 409 key_locked (two clients drew a common key) counts apart; any
 * other answer but 200 stops the run.
 *
 * <p>Usage: {@code TxnMeasure [clients=16] [seconds=15] [sizes=2,8,64] [postgresql|h2] [increment|get]}
 */
public final class TxnMeasure {

  private static final int KEYS = 10_000;

  private TxnMeasure() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int[] sizes = Arrays.stream((args.length > 2 ? args[2] : "2,8,64").split(",")).mapToInt(Integer::parseInt)
        .toArray();
    boolean postgres = args.length <= 3 || args[3].equals("postgresql");
    boolean reads = args.length > 4 && args[4].equals("get");
    Path dir = Files.createTempDirectory("txn-measure");
    String url = postgres ? TestPostgres.jdbcUrl(TestPostgres.newDatabase()) : null;
    Node node = TestNodes.start(TestNodes.settings(dir, url, List.of()), ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      kv.putNamespace("load", "");
      for (int size : sizes) {
        run(kv, clients, 5, size, reads, "warm-up");
        run(kv, clients, seconds, size, reads, "measured");
      }
    } finally {
      node.close();
      TempDirs.delete(dir);
    }
    System.exit(0);
  }

  private static String body(int size, boolean reads) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringJoiner ops = new StringJoiner(",", "[", "]");
    java.util.Set<Integer> keys = new java.util.LinkedHashSet<>();
    while (keys.size() < size) keys.add(random.nextInt(KEYS));
    for (int k : keys) {
      ops.add(reads ? "{\"op\":\"get\",\"namespace\":\"load\",\"key\":\"k-" + k + "\"}"
          : "{\"op\":\"increment\",\"namespace\":\"load\",\"key\":\"k-" + k + "\",\"by\":1}");
    }
    int first = keys.iterator().next();
    return "{\"compare\":[{\"namespace\":\"load\",\"key\":\"k-" + first
        + "\",\"target\":\"counter\",\"op\":\">\",\"counter\":-1}],\"success\":" + ops + ",\"failure\":[]}";
  }

  private static void run(KvClient kv, int clients, int seconds, int size, boolean reads, String name)
      throws Exception {
    AtomicLong locked = new AtomicLong();
    Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(1), 3);
    double elapsed = ClosedLoop.run(clients, Duration.ofSeconds(seconds), name, (client, iteration) -> {
      String body = body(size, reads);
      long start = System.nanoTime();
      HttpResponse<String> r = kv.send("POST", "/v1/txn", body, "Content-Type", "application/json");
      long took = System.nanoTime() - start;
      if (r.statusCode() == 409 && r.body().contains("key_locked")) {
        locked.incrementAndGet();
      } else if (r.statusCode() != 200 || !r.body().contains("\"succeeded\":true")) {
        throw new IllegalStateException("txn answered " + r.statusCode() + ": " + r.body());
      } else {
        latency.recordValue(took);
      }
      return true;
    });
    long done = latency.getTotalCount();
    System.out.printf(Locale.ROOT, "%s: %d keys (%s), %d clients, %d s: %.0f txn/s (%.0f keys/s), p50 %.1f ms, "
            + "p99 %.1f ms, %d key_locked%n", name, size, reads ? "get" : "increment", clients, seconds, done / elapsed,
        done * size / elapsed, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
        locked.get());
  }
}
