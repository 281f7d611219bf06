package io.actorkv.measure;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * How long a {@code w=local} write takes, after it is acknowledged, to become
 * readable with {@code r=local} on the other replicas. Starts three nodes in
 * this JVM on the embedded PostgreSQL (the namespace registry lives in the
 * strong journal), writes fresh keys through node 1 and polls each key on
 * nodes 2 and 3 until both return the value written.
 *
 * <p>Writes start at random (Poisson) times at a fixed mean rate, not as soon
 * as an earlier key shows up: a closed loop would lock onto the replicator's
 * delta propagation tick, start every write just after a tick and so measure
 * nearly a whole tick each time. {@code maxInFlight} only bounds the load.
 *
 * <p>A replica shows a key at some moment after it last answered "not found"
 * and before its first right answer arrives. The key's delay is reported as
 * two bounds from the write's acknowledgement, taking the later replica:
 * the upper to that first right answer, the lower to the request of the last
 * "not found" (zero if the first read already saw it).
 *
 * <p>Usage: {@code VisibilityDelay [writes=1000] [ratePerSecond=25] [maxInFlight=20] [pauseMillis=2]}
 */
public final class VisibilityDelay {

  static final String NAMESPACE = "vis";
  /** Written and discarded first: connections, JIT and the namespace caches warm up. */
  static final int WARM_UP_WRITES = 100;
  /** A key not visible everywhere by then is reported as an error, not waited for. */
  static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

  private VisibilityDelay() {}

  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 25;
    int maxInFlight = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    long pauseMillis = args.length > 3 ? Long.parseLong(args[3]) : 2;
    Path root = Files.createTempDirectory("actorkv-visibility");
    List<Node> nodes = new ArrayList<>();
    int exitCode = 1;
    try {
      nodes.addAll(startCluster(root));
      printReplicationSettings(nodes.get(0).system().settings().config());
      createNamespace(new KvClient(nodes.get(0).httpPort()));

      List<KvClient> clients = nodes.stream().map(n -> new KvClient(n.httpPort())).toList();
      new Probe(clients, rate, maxInFlight, pauseMillis).run("warm-", WARM_UP_WRITES);
      Probe probe = new Probe(clients, rate, maxInFlight, pauseMillis);
      long start = System.nanoTime();
      probe.run("k", writes);
      System.out.printf(Locale.ROOT, "%nwrites: %d on node 1 (w=local) in %.1f s, Poisson arrivals at %.0f/s "
          + "(at most %d keys in flight), reads on nodes 2 and 3 (r=local), %d ms between polls of a key%n",
          writes, (System.nanoTime() - start) / 1e9, rate, maxInFlight, pauseMillis);
      probe.print();
      exitCode = probe.errors() == 0 ? 0 : 1;
    } finally {
      for (Node node : nodes) node.close();
      TempDirs.delete(root);
    }
    // The embedded PostgreSQL stops in its shutdown hook.
    System.exit(exitCode);
  }

  private static List<Node> startCluster(Path root) throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Map<Setting, Object> s1 = TestNodes.settings(Files.createDirectory(root.resolve("n1")), url, List.of());
    String seed = TestNodes.remoteAddress(s1);
    s1.put(Setting.SEEDS, List.of(seed));
    Map<Setting, Object> s2 = TestNodes.settings(Files.createDirectory(root.resolve("n2")), url, List.of(seed));
    Map<Setting, Object> s3 = TestNodes.settings(Files.createDirectory(root.resolve("n3")), url, List.of(seed));
    List<Node> nodes = new ArrayList<>();
    try {
      for (var s : List.of(s1, s2, s3)) nodes.add(TestNodes.start(s, ConfigFactory.empty()));
      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 3));
      return nodes;
    } catch (RuntimeException | Error e) {
      nodes.forEach(Node::close);
      throw e;
    }
  }

  /** The Distributed Data settings that decide how fast a local write spreads. */
  private static void printReplicationSettings(Config config) {
    String dd = "pekko.cluster.distributed-data.";
    Duration gossip = config.getDuration(dd + "gossip-interval");
    boolean deltas = config.getBoolean(dd + "delta-crdt.enabled");
    System.out.println("Distributed Data settings (node 1):");
    System.out.println("  " + dd + "gossip-interval = " + gossip.toMillis() + " ms");
    System.out.println("  " + dd + "delta-crdt.enabled = " + deltas);
    System.out.println("  " + dd + "delta-crdt.max-delta-size = " + config.getInt(dd + "delta-crdt.max-delta-size"));
    System.out.println("  " + dd + "notify-subscribers-interval = "
        + config.getDuration(dd + "notify-subscribers-interval").toMillis() + " ms (subscribers only; reads use Get)");
    System.out.println("  " + dd + "durable.keys = " + config.getStringList(dd + "durable.keys")
        + ", write-behind-interval = " + config.getString(dd + "durable.lmdb.write-behind-interval"));
    if (deltas) {
      // Pekko's Replicator: max(gossip-interval / 5, 200 ms); deltas go to up to all peers of a small cluster.
      long tick = Math.max(gossip.toMillis() / 5, 200);
      System.out.println("  delta propagation tick (derived by the Replicator) = " + tick + " ms");
    }
  }

  private static void createNamespace(KvClient client) {
    var response = client.putNamespace(NAMESPACE, "{\"mode\":\"eventual\",\"write\":\"local\"}");
    if (response.statusCode() != 201) {
      throw new IllegalStateException("creating namespace: " + response.statusCode() + " " + response.body());
    }
    System.out.println("namespace: " + response.body());
  }

  /**
   * One series of writes through the first client, each polled on all the
   * others until it shows there.
   */
  static final class Probe {

    private final KvClient writer;
    private final List<KvClient> readers;
    private final double rate;
    private final long pauseMillis;
    private final Semaphore slots;
    private final Random arrivals = new Random(42);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "visibility-poll-timer");
      t.setDaemon(true);
      return t;
    });
    private final Histogram upper = histogram();
    private final Histogram lower = histogram();
    private final Histogram writeRoundTrip = histogram();
    private final Histogram pollRoundTrip = histogram();
    private final LongAdder errors = new LongAdder();
    private final LongAdder heldByCap = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private CountDownLatch done;

    Probe(List<KvClient> clients, double rate, int maxInFlight, long pauseMillis) {
      this.writer = clients.get(0);
      this.readers = clients.subList(1, clients.size());
      this.rate = rate;
      this.pauseMillis = pauseMillis;
      this.slots = new Semaphore(maxInFlight);
    }

    private static Histogram histogram() {
      return new SynchronizedHistogram(TimeUnit.MINUTES.toMicros(5), 3);
    }

    /** A written key on its way to the readers; the delay is recorded when the last one shows it. */
    private final class Pending {
      final String key;
      final String value;
      final long ackedAt;
      final long giveUpAt;
      private int remaining = readers.size();
      private long lastMissAt;
      private long firstHitAt;

      Pending(String key, String value, long ackedAt) {
        this.key = key;
        this.value = value;
        this.ackedAt = ackedAt;
        this.giveUpAt = ackedAt + GIVE_UP_AFTER.toNanos();
        this.lastMissAt = ackedAt;
      }

      /** One reader showed the key: after it answered a miss requested at {@code missAt}, by {@code hitAt}. */
      synchronized boolean seen(long missAt, long hitAt) {
        lastMissAt = Math.max(lastMissAt, missAt);
        firstHitAt = Math.max(firstHitAt, hitAt);
        return --remaining == 0;
      }
    }

    void run(String prefix, int writes) throws InterruptedException {
      done = new CountDownLatch(writes);
      long next = System.nanoTime();
      for (int i = 0; i < writes; i++) {
        next += (long) (-Math.log(1 - arrivals.nextDouble()) / rate * 1e9);
        for (long wait; (wait = next - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
        if (!slots.tryAcquire()) {
          heldByCap.increment();
          slots.acquire();
        }
        write(prefix + i, "value-" + prefix + i);
      }
      if (!done.await(GIVE_UP_AFTER.toSeconds() + 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(done.getCount() + " keys neither visible nor failed");
      }
    }

    private String path(String key) {
      return "/v1/kv/" + NAMESPACE + "/" + KvClient.encode(key);
    }

    private void write(String key, String value) {
      long sent = System.nanoTime();
      writer.sendAsync(writer.request(path(key) + "?w=local").PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
              HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            long acked = System.nanoTime();
            writeRoundTrip.recordValue(micros(acked - sent));
            if (failure != null || response.statusCode() / 100 != 2) {
              fail(key + ": write " + (failure != null ? failure : response.statusCode() + " " + response.body()));
              return;
            }
            Pending pending = new Pending(key, value, acked);
            readers.forEach(reader -> poll(pending, reader, acked));
          });
    }

    /** Reads the key on {@code reader}; {@code lastMissAt}: when the last read that missed it was sent. */
    private void poll(Pending pending, KvClient reader, long lastMissAt) {
      long sent = System.nanoTime();
      reader.sendAsync(reader.request(path(pending.key) + "?r=local").GET().build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            long now = System.nanoTime();
            pollRoundTrip.recordValue(micros(now - sent));
            if (failure == null && response.statusCode() == 200 && response.body().equals(pending.value)) {
              if (pending.seen(lastMissAt, now)) finished(pending);
              return;
            }
            if (failure != null || response.statusCode() != 404) {
              fail(pending.key + ": read " + (failure != null ? failure : response.statusCode() + " " + response.body()));
              return;
            }
            if (now > pending.giveUpAt) {
              fail(pending.key + ": not visible on " + reader.uri("") + " after " + GIVE_UP_AFTER);
              return;
            }
            timer.schedule(() -> poll(pending, reader, sent), pauseMillis, TimeUnit.MILLISECONDS);
          });
    }

    private void finished(Pending pending) {
      upper.recordValue(micros(pending.firstHitAt - pending.ackedAt));
      lower.recordValue(micros(pending.lastMissAt - pending.ackedAt));
      slots.release();
      done.countDown();
    }

    /** Counts the key as done; a key with two failing readers is counted twice, which only errs towards alarm. */
    private void fail(String message) {
      errors.increment();
      firstError.compareAndSet(null, message);
      slots.release();
      done.countDown();
    }

    long errors() {
      return errors.sum();
    }

    void print() {
      System.out.println("delay from ack until visible on both replicas, ms:");
      printDelay("upper bound", upper);
      printDelay("lower bound", lower);
      System.out.printf(Locale.ROOT, "write round trip (w=local), ms:  count %d, p50 %s, p99 %s, max %s%n",
          writeRoundTrip.getTotalCount(), ms(writeRoundTrip, 50), ms(writeRoundTrip, 99),
          ms(writeRoundTrip.getMaxValue()));
      System.out.printf(Locale.ROOT, "poll round trip (r=local), ms:   count %d, p50 %s, p99 %s, max %s%n",
          pollRoundTrip.getTotalCount(), ms(pollRoundTrip, 50), ms(pollRoundTrip, 99),
          ms(pollRoundTrip.getMaxValue()));
      System.out.println("writes held back by the in-flight cap: " + heldByCap.sum());
      System.out.println("errors: " + errors() + (errors() == 0 ? "" : ", first: " + firstError.get()));
    }

    private static void printDelay(String name, Histogram h) {
      System.out.printf(Locale.ROOT, "  %-12s count %d, p50 %s, p90 %s, p99 %s, max %s%n", name,
          h.getTotalCount(), ms(h, 50), ms(h, 90), ms(h, 99), ms(h.getMaxValue()));
    }

    private static long micros(long nanos) {
      return TimeUnit.NANOSECONDS.toMicros(nanos);
    }

    private static String ms(Histogram h, double percentile) {
      return ms(h.getValueAtPercentile(percentile));
    }

    private static String ms(long micros) {
      return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }
  }
}
