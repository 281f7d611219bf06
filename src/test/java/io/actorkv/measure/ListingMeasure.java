package io.actorkv.measure;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The time of one listing page of 1,000 keys out of a large strong
 * namespace. One node in this JVM on the embedded PostgreSQL; the key index
 * is loaded directly with {@code keys} rows (writing that many keys through
 * the API would take hours here), then {@code requests} listings, one at a
 * time, each from a random start key, are timed from request to the whole
 * answer read.
 *
 * <p>Usage: {@code ListingMeasure [keys=10000000] [requests=500] [keysOnly=true]}
 */
public final class ListingMeasure {

  private ListingMeasure() {}

  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    boolean keysOnly = args.length <= 2 || Boolean.parseBoolean(args[2]);
    Path dir = Files.createTempDirectory("listing-measure");
    var settings = TestNodes.settings(dir, TestPostgres.jdbcUrl(TestPostgres.newDatabase()), List.of());
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      kv.putNamespace("big", "");
      JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
      long loadStart = System.nanoTime();
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO actorkv_key_index SELECT 'big', convert_to('user/' || lpad(i::text, 10, '0'), 'UTF8'),"
            + " 1, 'application/json', 64, " + System.currentTimeMillis() * 1_000_000L + ", NULL, false,"
            + " convert_to(rpad('{\"n\":' || i::text || '}', 64), 'UTF8') FROM generate_series(1, " + keys + ") i");
        s.execute("ANALYZE actorkv_key_index");
      }
      System.out.printf(Locale.ROOT, "loaded %,d index rows in %.0f s%n", keys,
          (System.nanoTime() - loadStart) / 1e9);
      Random random = new Random(1);
      Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      for (int i = 0; i < requests + 50; i++) {
        String start = String.format(Locale.ROOT, "user/%010d", 1 + (long) (random.nextDouble() * (keys - 1000)));
        long t0 = System.nanoTime();
        HttpResponse<String> r = kv.send("GET", "/v1/kv/big?limit=1000&keysOnly=" + keysOnly + "&start="
            + URLEncoder.encode(start, StandardCharsets.UTF_8), null);
        long took = System.nanoTime() - t0;
        if (r.statusCode() != 200 || !r.body().contains("\"next\"")) {
          throw new IllegalStateException("listing answered " + r.statusCode() + ": " + r.body());
        }
        if (i >= 50) latency.recordValue(took); // the first 50 warm the JIT and the caches
      }
      System.out.printf(Locale.ROOT, "listing 1,000 keys (keysOnly=%s) out of %,d: %d requests one at a time; "
              + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", keysOnly, keys, requests,
          latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
          latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6);
    } finally {
      node.close();
      TempDirs.delete(dir);
    }
    System.exit(0);
  }
}
