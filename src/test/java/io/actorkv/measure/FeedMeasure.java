package io.actorkv.measure;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import io.actorkv.testing.Watcher;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The change feed's lag and the journal's size per revision. One node in
 * this JVM on the embedded PostgreSQL (or H2), one watch of namespace
 * {@code lag}, and PUTs of 256-byte values to {@code keys} keys at a fixed
 * rate. A write's lag runs from its acknowledgement (the PUT's answer) to
 * its event arriving on the watch; an event that arrives before the answer
 * counts as 0. Afterwards, on PostgreSQL, the journal table's size with its
 * indexes divided by its rows.
 *
 * <p>Usage: {@code FeedMeasure [ratePerSecond=2000] [seconds=30] [keys=1000] [postgresql|h2]}
 */
public final class FeedMeasure {

  private static final int VALUE_BYTES = 256;
  private static final int MAX_IN_FLIGHT = 64;

  private FeedMeasure() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    boolean postgres = args.length <= 3 || args[3].equals("postgresql");
    Path dir = Files.createTempDirectory("feed-measure");
    String url = postgres ? TestPostgres.jdbcUrl(TestPostgres.newDatabase()) : null;
    var settings = TestNodes.settings(dir, url, List.of());
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    try {
      KvClient kv = new KvClient(node.httpPort());
      kv.putNamespace("lag", "");
      String value = "x".repeat(VALUE_BYTES);
      Map<String, Long> acked = new ConcurrentHashMap<>();
      Map<String, Long> arrived = new ConcurrentHashMap<>();
      Histogram lag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      AtomicLong failed = new AtomicLong();
      try (Watcher watch = Watcher.open(node.httpPort(), "/v1/watch/lag")) {
        Thread reader = new Thread(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            Watcher.Event e = watch.poll(Duration.ofMillis(100));
            if (e == null) continue;
            long now = System.nanoTime();
            String id = e.key() + "@" + e.revision();
            Long ack = acked.remove(id);
            if (ack == null) {
              arrived.put(id, now);
            } else {
              synchronized (lag) {
                lag.recordValue(Math.max(0, now - ack));
              }
            }
          }
        }, "feed-reader");
        reader.start();

        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        long total = (long) rate * seconds;
        AtomicLong sent = new AtomicLong();
        long periodNanos = 1_000_000_000L / rate;
        ticks.scheduleAtFixedRate(() -> {
          long n = sent.getAndIncrement();
          if (n >= total) return;
          if (!inFlight.tryAcquire()) {
            failed.incrementAndGet(); // the node fell behind the rate: counted, not queued
            return;
          }
          String key = "k" + (n % keys);
          kv.sendAsync(kv.request("/v1/kv/lag/" + key).PUT(HttpRequest.BodyPublishers.ofString(value))
                  .build(), HttpResponse.BodyHandlers.ofString())
              .whenComplete((r, failure) -> {
                inFlight.release();
                if (failure != null || r.statusCode() >= 300) {
                  failed.incrementAndGet();
                  return;
                }
                long now = System.nanoTime();
                String id = key + "@" + KvClient.revision(r);
                Long came = arrived.remove(id);
                if (came == null) {
                  acked.put(id, now);
                } else {
                  synchronized (lag) {
                    lag.recordValue(0);
                  }
                }
              });
          if ((n + 1) % rate == 0) {
            System.err.printf(Locale.ROOT, "%d s: %d writes, %d delivered, %d failed%n", (n + 1) / rate, n + 1,
                lag.getTotalCount(), failed.get());
          }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        // Reports whatever arrived by then.
        Await.poll(Duration.ofSeconds(seconds + 30L), () -> lag.getTotalCount() + failed.get() >= total);
        ticks.shutdownNow();
        reader.interrupt();
        synchronized (lag) {
          System.out.printf(Locale.ROOT, "feed lag at %d PUT/s for %d s (%s, %d keys): %d of %d delivered, "
                  + "%d failed; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", rate, seconds,
              postgres ? "PostgreSQL" : "H2", keys, lag.getTotalCount(), total, failed.get(),
              lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(90) / 1e6,
              lag.getValueAtPercentile(99) / 1e6, lag.getMaxValue() / 1e6);
        }
      }
      if (postgres) {
        JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('event_journal'), count(*), "
                 + "pg_total_relation_size('snapshot') FROM event_journal")) {
          rs.next();
          System.out.printf(Locale.ROOT, "journal: %d rows, %,d bytes with indexes: %.0f bytes per revision of a "
              + "%d-byte value; snapshots %,d bytes%n", rs.getLong(2), rs.getLong(1),
              (double) rs.getLong(1) / rs.getLong(2), VALUE_BYTES, rs.getLong(3));
        }
      }
    } finally {
      node.close();
      TempDirs.delete(dir);
    }
    System.exit(0);
  }
}
