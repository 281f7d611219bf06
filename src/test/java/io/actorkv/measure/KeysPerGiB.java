package io.actorkv.measure;

import io.actorkv.eventual.EventualSettings;
import io.actorkv.eventual.EventualStore;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * How many eventual keys one node holds per GiB of heap. Starts one node in
 * this JVM on H2, creates an eventual namespace, writes keys with values of a
 * fixed size at {@code w=local} over HTTP, and compares the heap in use after
 * full collections before the measured writes and after each size is
 * reached. Every replica holds every key, so the figure is per node in a
 * cluster too; on one node no deltas wait for peers, which a cluster under
 * write load adds for a few hundred milliseconds.
 *
 * <p>Usage: {@code KeysPerGiB [sizes=100000,200000] [buckets=128] [valueBytes=256]}
 */
public final class KeysPerGiB {

  static final String NAMESPACE = "size";
  /** Written before the baseline: connections, JIT and every bucket's first write are not counted. */
  static final int WARM_UP_KEYS = 5_000;
  static final int CONCURRENCY = 32;
  static final long GIB = 1L << 30;

  private KeysPerGiB() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100000,200000").split(","))
        .mapToInt(Integer::parseInt).sorted().toArray();
    int buckets = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int valueBytes = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    Path root = Files.createTempDirectory("actorkv-keys-per-gib");
    int exitCode = 1;
    try (Node node = TestNodes.single(root)) {
      printJvm(node, buckets, valueBytes);
      KvClient client = new KvClient(node.httpPort());
      createNamespace(client, buckets);
      byte[] value = "v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);

      write(client, "warm-", 0, WARM_UP_KEYS, value);
      long baseline = settledHeapUsed();
      System.out.printf(Locale.ROOT, "baseline heap used (after %d warm-up keys): %.1f MiB%n",
          WARM_UP_KEYS, baseline / 1048576.0);
      System.out.println("keys      heap delta MiB  bytes/key  keys/GiB   since previous: bytes/key  write rate keys/s");
      int written = 0;
      long previousHeap = baseline;
      for (int size : sizes) {
        long start = System.nanoTime();
        write(client, "k", written, size, value);
        double rate = (size - written) / ((System.nanoTime() - start) / 1e9);
        long heap = settledHeapUsed();
        double perKey = (heap - baseline) / (double) size;
        double marginal = (heap - previousHeap) / (double) (size - written);
        System.out.printf(Locale.ROOT, "%-9d %14.1f %10.0f %9.0f %27.0f %18.0f%n",
            size, (heap - baseline) / 1048576.0, perKey, GIB / perKey, marginal, rate);
        written = size;
        previousHeap = heap;
      }
      printBucketSpread(written, buckets);
      exitCode = 0;
    } finally {
      TempDirs.delete(root);
    }
    System.exit(exitCode);
  }

  private static void printJvm(Node node, int buckets, int valueBytes) {
    EventualSettings settings = EventualSettings.from(node.system().settings().config());
    String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    System.out.printf(Locale.ROOT, "Java %s, max heap %d MiB, collectors: %s%n",
        Runtime.version(), Runtime.getRuntime().maxMemory() >> 20, collectors);
    System.out.printf(Locale.ROOT, "namespace '%s': %d buckets, bucket budget %d bytes; values %d bytes, "
        + "w=local over HTTP, %d concurrent requests%n",
        NAMESPACE, buckets, settings.maxBucketBytes(), valueBytes, CONCURRENCY);
  }

  private static void createNamespace(KvClient client, int buckets) {
    var response = client.putNamespace(NAMESPACE,
        "{\"mode\":\"eventual\",\"write\":\"local\",\"buckets\":" + buckets + "}");
    if (response.statusCode() != 201) {
      throw new IllegalStateException("creating namespace: " + response.statusCode() + " " + response.body());
    }
    System.out.println("namespace: " + response.body());
  }

  /** Writes keys {@code prefix+from .. prefix+(to-1)}; the first refusal (e.g. 507 bucket_full) ends the run. */
  private static void write(KvClient client, String prefix, int from, int to, byte[] value)
      throws InterruptedException {
    Semaphore slots = new Semaphore(CONCURRENCY);
    AtomicReference<String> failure = new AtomicReference<>();
    for (int i = from; i < to && failure.get() == null; i++) {
      slots.acquire();
      String key = prefix + i;
      HttpRequest put = client.request("/v1/kv/" + NAMESPACE + "/" + key + "?w=local")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
      client.sendAsync(put, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
        if (error != null) {
          failure.compareAndSet(null, key + ": " + error);
        } else if (response.statusCode() / 100 != 2) {
          failure.compareAndSet(null, key + ": " + response.statusCode() + " " + response.body());
        }
        slots.release();
      });
    }
    slots.acquire(CONCURRENCY);
    if (failure.get() != null) throw new IllegalStateException("write refused: " + failure.get());
  }

  /**
   * Heap in use once full collections stop freeing anything: two readings
   * within 0.5 %, polled for up to 30 s. A pending write-behind batch is freed
   * when the durable store takes it (within 200 ms), so it does not settle
   * into the reading.
   */
  private static long settledHeapUsed() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long[] previous = {Long.MAX_VALUE};
    boolean settled = Await.poll(Duration.ofSeconds(30), () -> {
      memory.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      boolean same = Math.abs(previous[0] - used) < used / 200;
      previous[0] = used;
      return same;
    });
    if (!settled) System.out.println("warning: the heap did not settle within 30 s; this reading is the last one");
    return previous[0];
  }

  /** How evenly the keys fell into buckets: the largest bucket is the one that reaches bucket_full first. */
  private static void printBucketSpread(int keys, int buckets) {
    int[] perBucket = new int[buckets];
    for (int i = 0; i < keys; i++) perBucket[EventualStore.bucketOf("k" + i, buckets)]++;
    for (int i = 0; i < WARM_UP_KEYS; i++) perBucket[EventualStore.bucketOf("warm-" + i, buckets)]++;
    int max = Arrays.stream(perBucket).max().orElse(0);
    System.out.printf(Locale.ROOT, "keys per bucket: mean %.0f, largest %d%n",
        (keys + WARM_UP_KEYS) / (double) buckets, max);
  }

}
