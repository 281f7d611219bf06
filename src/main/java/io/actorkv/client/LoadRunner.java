package io.actorkv.client;

import io.actorkv.base.Progress;
import io.actorkv.base.Ticker;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import javax.net.SocketFactory;
import org.HdrHistogram.Histogram;

/**
 * Runs one benchmark: one platform thread and one keep-alive connection per configured
 * connection; first the keyspace load (when the workload reads), then warm-up and measurement as
 * one continuous run, so the target is never idle between them. The calling thread only watches:
 * once a second it collects each connection's latencies and shows the progress line.
 */
final class LoadRunner {

  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Lets every thread start before the first request is due, so the schedules line up. */
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final BenchSettings settings;
  private final PrintStream out;
  private final Progress progress;
  private final Ticker ticker = Ticker.SYSTEM;

  LoadRunner(BenchSettings settings, PrintStream out, boolean terminal) {
    this.settings = settings;
    this.out = out;
    this.progress = new Progress(out, terminal);
  }

  /**
   * Runs the benchmark and returns the measured part.
   *
   * @throws IOException if the target cannot be reached or readied before the run
   */
  BenchResult run() throws IOException {
    out.println(settings.describe());
    byte[] value = value(settings.valueSize(), settings.seed());
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    List<HttpConnection> connections = new ArrayList<>();
    List<TargetClient> clients = new ArrayList<>();
    SocketFactory sockets = settings.sockets();
    for (int c = 0; c < settings.connections(); c++) {
      HttpConnection connection = new HttpConnection(settings.host(), settings.port(), timeoutMillis, sockets);
      connections.add(connection);
      clients.add(TargetClient.http(protocol(value), connection));
    }
    try {
      connections.get(0).open();
      protocol(value).prepare(connections.get(0));
      if (settings.loadsFirst()) {
        load(clients);
      }
      return measure(clients);
    } finally {
      connections.forEach(HttpConnection::close);
    }
  }

  /** Writes every key once, each connection its share, as fast as the target answers. */
  private void load(List<TargetClient> clients) {
    int keys = settings.keys();
    int n = clients.size();
    LongAdder written = new LongAdder();
    List<Tally> tallies = new ArrayList<>();
    List<Runnable> loaders = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      TargetClient client = clients.get(c);
      Tally tally = new Tally();
      tallies.add(tally);
      int first = c;
      loaders.add(() -> {
        for (int key = first; key < keys && !Thread.currentThread().isInterrupted(); key += n) {
          String error = client.perform(Op.WRITE, key);
          if (error != null) tally.error(error);
          written.increment();
        }
      });
    }
    long start = ticker.nanoTime();
    runAll("load", loaders, now -> progress.show(String.format(Locale.ROOT, "[load %.0fs] %d/%d keys",
        seconds(now - start), written.sum(), keys)));
    progress.finish();
    double elapsed = Math.max(seconds(ticker.nanoTime() - start), 1e-9);
    Map<String, Long> errors = BenchResult.mergeErrors(tallies.stream().map(Tally::errors).toList());
    out.printf(Locale.ROOT, "loaded %d keys in %.1f s (%.0f puts/s), errors: %s%n", keys, elapsed,
        keys / elapsed, BenchResult.errorSummary(errors));
  }

  private BenchResult measure(List<TargetClient> clients) {
    int n = clients.size();
    long start = ticker.nanoTime() + START_DELAY_NANOS;
    long measureFrom = start + settings.warmup().toNanos();
    long end = measureFrom + settings.duration().toNanos();
    ZipfianGenerator zipfian = settings.workload().distribution() == Workload.Distribution.ZIPFIAN
        ? ZipfianGenerator.ycsb(settings.keys()) : null;
    SplittableRandom seeds = new SplittableRandom(settings.seed());
    List<ConnectionLoop> loops = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      SplittableRandom random = seeds.split();
      loops.add(new ConnectionLoop(ticker, pacer(c, start), settings.workload(),
          settings.workload().keyChooser(settings.keys(), zipfian, random), random, clients.get(c), measureFrom, end));
    }

    List<Histogram> cumulative = new ArrayList<>();
    loops.forEach(l -> cumulative.add(new Histogram(Tally.SIGNIFICANT_DIGITS)));
    Histogram interval = new Histogram(Tally.SIGNIFICANT_DIGITS);
    long[] lastTick = {start};
    runAll("bench", loops, now -> {
      interval.reset();
      long errors = 0;
      for (int c = 0; c < n; c++) {
        ConnectionLoop loop = loops.get(c);
        interval.add(loop.warmup().drainInterval());
        Histogram measured = loop.measured().drainInterval();
        cumulative.get(c).add(measured);
        interval.add(measured);
        errors += (now < measureFrom ? loop.warmup() : loop.measured()).errorCount();
      }
      double tickSeconds = seconds(now - lastTick[0]);
      lastTick[0] = now;
      String phase = now < measureFrom
          ? String.format(Locale.ROOT, "warm-up %.0f/%.0fs", seconds(now - start), seconds(measureFrom - start))
          : String.format(Locale.ROOT, "run %.0f/%.0fs", seconds(now - measureFrom), seconds(end - measureFrom));
      progress.show(String.format(Locale.ROOT, "[%s] %.0f ops/s, p99 %.3f ms, errors %d", phase,
          tickSeconds > 0 ? interval.getTotalCount() / tickSeconds : 0, interval.getValueAtPercentile(99) / 1000.0,
          errors));
    });
    progress.finish();
    for (int c = 0; c < n; c++) {
      cumulative.get(c).add(loops.get(c).measured().drainInterval());
    }
    long lastCompletion = loops.stream().mapToLong(ConnectionLoop::lastCompletion).max().orElse(end);
    long elapsed = Math.max(lastCompletion, measureFrom + 1) - measureFrom;
    return BenchResult.of(cumulative, loops.stream().map(l -> l.measured().errors()).toList(), seconds(elapsed));
  }

  /**
   * Open loop: {@code rate} spread evenly, each connection every {@code connections / rate}
   * seconds, the connections' schedules offset from each other by {@code 1 / rate}.
   */
  private Pacer pacer(int connection, long start) {
    if (!settings.openLoop()) return Pacer.closedLoop(ticker);
    double gapNanos = TimeUnit.SECONDS.toNanos(1) / settings.rate();
    return Pacer.openLoop(start + (long) (connection * gapNanos), gapNanos * settings.connections());
  }

  private TargetProtocol protocol(byte[] value) {
    return TargetProtocol.of(settings.kind(), settings.host(), settings.port(), settings.namespace(), value,
        settings.token());
  }

  /** Starts a thread per task and calls {@code onTick} with the time about once a second until all have ended. */
  private void runAll(String name, List<? extends Runnable> tasks, LongConsumer onTick) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      Thread t = new Thread(tasks.get(i), name + "-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    long nextTick = ticker.nanoTime() + TICK_NANOS;
    try {
      while (!joinAll(threads, nextTick)) {
        onTick.accept(ticker.nanoTime());
        nextTick += TICK_NANOS;
      }
    } catch (InterruptedException e) {
      threads.forEach(Thread::interrupt);
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for all threads until {@code deadline}; returns whether all have ended. */
  private boolean joinAll(List<Thread> threads, long deadline) throws InterruptedException {
    for (Thread t : threads) {
      long remaining = deadline - ticker.nanoTime();
      if (remaining > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, remaining);
      }
      if (t.isAlive()) return false;
    }
    return true;
  }

  /** Printable bytes, the same for a given seed, so runs compare like with like. */
  static byte[] value(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) value[i] = (byte) ('a' + random.nextInt(26));
    return value;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
