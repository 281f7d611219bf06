package io.actorkv.measure;

import io.actorkv.measure.GroupCommit.Row;
import io.actorkv.measure.JournalEngines.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The durable append ceiling of each candidate embedded journal, without a
 * node: {@code clients} threads each append one journal row at a time
 * (persistence id, sequence number, a 256-byte payload) and wait until it is
 * durable before the next, as a strong PUT waits for its event. Every
 * engine gets the same {@link GroupCommit} in front (one writer, batches of
 * up to 400 rows, one commit each), in a fresh directory under the JVM's
 * temporary directory. A warm-up runs first, unmeasured; then appends per
 * second, their p50 and p99, batches (commits, so syncs) per second and the
 * mean batch size over the measured time. An engine that fails is reported
 * and the others still run; the exit status is then 1.
 *
 * <p>Usage: {@code JournalEngineMeasure [engines=postgresql,h2,sqlite,rocksdb,lmdb] [clients=32]
 * [seconds=15] [warmUpSeconds=5]}
 */
public final class JournalEngineMeasure {

  private static final int MAX_BATCH = 400;
  private static final int KEYS = 10_000;
  private static final int PAYLOAD_BYTES = 256;

  private record Result(String engine, String durability, long appends, double perSecond, double p50Ms,
                        double p99Ms, double batchesPerSecond, double meanBatch) {}

  private JournalEngineMeasure() {}

  public static void main(String[] args) throws Exception {
    List<String> engines = args.length > 0 ? Arrays.asList(args[0].split(",")) : JournalEngines.NAMES;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    List<Result> results = new ArrayList<>();
    boolean failed = false;
    for (String engine : engines) {
      try {
        results.add(measure(engine, clients, seconds, warmUp));
      } catch (Exception | LinkageError e) { // LinkageError: an engine without a native build for this machine
        failed = true;
        System.err.println(engine + ": failed: " + e);
        e.printStackTrace();
      }
    }
    System.out.printf(Locale.ROOT, "%n%d writers, one append each in flight, %d-byte payloads, batches of up to %d,"
        + " %d s measured after %d s of warm-up%n", clients, PAYLOAD_BYTES, MAX_BATCH, seconds, warmUp);
    System.out.println("| engine | appends/s | p50 ms | p99 ms | batches/s | rows per batch | survives |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f | %,.0f | %.1f | %s |%n", r.engine(), r.perSecond(),
          r.p50Ms(), r.p99Ms(), r.batchesPerSecond(), r.meanBatch(), r.durability());
    }
    System.exit(failed ? 1 : 0);
  }

  private static Result measure(String name, int clients, int seconds, int warmUp) throws Exception {
    Path dir = Files.createTempDirectory("engine-measure-" + name);
    System.err.printf("%s: opening in %s%n", name, dir);
    try (Engine engine = JournalEngines.open(name, dir); GroupCommit journal = new GroupCommit(engine, MAX_BATCH,
        name)) {
      byte[] payload = new byte[PAYLOAD_BYTES];
      ThreadLocalRandom.current().nextBytes(payload);
      // Each client's appends go to its own keys, each key's sequence numbers rising across both runs.
      AtomicLongArray next = new AtomicLongArray(clients);
      int keys = Math.max(1, KEYS / clients);
      AtomicLong appends = new AtomicLong();
      Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(1), 3);
      ClosedLoop.Step append = (client, iteration) -> {
        long n = next.getAndIncrement(client);
        long start = System.nanoTime();
        journal.append(new Row("kv|load|k-" + client + "-" + (n % keys), n / keys + 1, payload));
        latency.recordValue(Math.min(System.nanoTime() - start, latency.getHighestTrackableValue()));
        appends.incrementAndGet();
        return true;
      };
      System.err.printf("%s: warm-up, %d s, %d writers%n", name, warmUp, clients);
      ClosedLoop.run(clients, Duration.ofSeconds(warmUp), name + "-warm-up", append);
      latency.reset();
      appends.set(0);
      long batches = journal.batches();
      long rows = journal.rows();
      System.err.printf("%s: measuring, %d s%n", name, seconds);
      double elapsed = ClosedLoop.run(clients, Duration.ofSeconds(seconds), name, append);
      long measuredBatches = journal.batches() - batches;
      Result result = new Result(name, engine.durability(), appends.get(), appends.get() / elapsed,
          latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
          measuredBatches / elapsed, (journal.rows() - rows) / (double) Math.max(1, measuredBatches));
      System.err.printf(Locale.ROOT, "%s: %,d appends, %,.0f/s, p50 %.2f ms, p99 %.2f ms, %,.0f batches/s of %.1f"
              + " rows%n", name, result.appends(), result.perSecond(), result.p50Ms(), result.p99Ms(),
          result.batchesPerSecond(), result.meanBatch());
      return result;
    } finally {
      TempDirs.delete(dir);
    }
  }
}
