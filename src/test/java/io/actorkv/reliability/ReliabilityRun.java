package io.actorkv.reliability;

import io.actorkv.testing.Await;
import io.actorkv.testing.TestPostgres;
import io.actorkv.verify.CheckResult;
import io.actorkv.verify.Checker;
import io.actorkv.verify.JepsenEtcdHistory;
import io.actorkv.verify.Models;
import io.actorkv.verify.Operation;
import io.actorkv.verify.RegisterOp;
import io.actorkv.verify.RegisterOutput;
import io.actorkv.verify.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One fault-injection run: three server processes on one embedded PostgreSQL,
 * clients recording a history, retrying clients that send every write of
 * unknown outcome again with its idempotency key ({@link RetryingClients}),
 * and a schedule of faults (SIGKILL and restart, SIGSTOP/SIGCONT, an Artery
 * partition, a stalled database connection), and bank clients moving money
 * between accounts by transaction ({@link BankClients}). Afterwards: the
 * linearizability checker per key, the journal audit, the retrying
 * clients' counters and values, each applied exactly once, and the bank's
 * transactions checked for strict serializability against its journal.
 */
final class ReliabilityRun {

  /** {@code firstCycle} rotates which node gets which fault, so runs of a campaign differ. */
  record Options(Path jar, Path workDir, Duration length, int clients, int keys, int retryingClients,
                 int bankClients, int firstCycle, Duration settle, PrintStream out) {}

  /** What one fault did to the service. */
  record FaultReport(String fault, double opsBefore, double opsDuring, double opsAfter, double recoverySeconds) {}

  record Report(int operations, long succeeded, long unknown, long notApplied, List<FaultReport> faults,
                List<String> violations, List<String> undecided, long lostWrites, long journalProblems,
                long journalEvents, long retryingWrites, long retriedWrites, long increments,
                List<String> retryProblems, BankClients.Result bank) {
    boolean passed() {
      return violations.isEmpty() && undecided.isEmpty() && lostWrites == 0 && journalProblems == 0
          && retryProblems.isEmpty() && bank.problems().isEmpty();
    }

    String summary() {
      return String.format("operations=%d ok=%d unknown=%d (%.1f%%) not-applied=%d faults=%d "
              + "violations=%d undecided=%d lost-writes=%d journal-problems=%d journal-events=%d "
              + "idempotent-writes=%d retried=%d increments=%d applied-twice-or-lost=%d %s",
          operations, succeeded, unknown, 100.0 * unknown / Math.max(1, succeeded + unknown), notApplied,
          faults.size(), violations.size(), undecided.size(), lostWrites, journalProblems, journalEvents,
          retryingWrites, retriedWrites, increments, retryProblems.size(), bank.summary());
    }
  }

  private static final Duration HOLD = Duration.ofSeconds(6);
  private static final Duration PARTITION = Duration.ofSeconds(12);
  private static final Duration READY = Duration.ofSeconds(90);

  /** Timings scaled for a run of minutes: quick failure detection, downing after 7 s. */
  static final String NODE_CONFIG = """
      actorkv.request-timeout = 2s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      pekko.cluster.split-brain-resolver.stable-after = 7s
      pekko.cluster.sharding.rebalance-interval = 3s
      actorkv.http.drain-time = 0s
      """;

  private final Options options;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<FaultReport> faults = new ArrayList<>();
  private Workload workload;
  private RetryingClients retrying;
  private BankClients bank;

  ReliabilityRun(Options options) {
    this.options = options;
  }

  Report run() throws Exception {
    String database = TestPostgres.newDatabase();
    Files.createDirectories(options.workDir());
    Path config = options.workDir().resolve("node.conf");
    Files.writeString(config, NODE_CONFIG);
    String urlTemplate = "jdbc:postgresql://127.0.0.1:%d/" + database + "?socketTimeout=30";
    for (int i = 1; i <= 3; i++) {
      nodes.add(new NodeProcess(i, options.jar(), options.workDir().resolve("node-" + i),
          config, TestPostgres.port(), urlTemplate));
    }
    List<String> seeds = nodes.stream().map(NodeProcess::remoteAddress).toList();
    nodes.forEach(n -> n.seeds(seeds));
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < options.keys(); k++) keys.add("register-" + k);
    try {
      for (NodeProcess n : nodes) {
        n.start();
        awaitReady(n);
      }
      workload = new Workload(nodes, keys, Duration.ofSeconds(3));
      workload.start(options.clients());
      retrying = new RetryingClients(nodes, List.of("retry-counter-0", "retry-counter-1"),
          List.of("retry-put-0", "retry-put-1"), Duration.ofSeconds(3));
      retrying.start(options.retryingClients());
      if (options.bankClients() > 0) {
        bank = new BankClients(nodes, List.of("bank-0", "bank-1", "bank-2", "bank-3", "bank-4"), 100,
            Duration.ofSeconds(3));
        bank.start(options.bankClients());
      }
      long end = System.nanoTime() + options.length().toNanos();
      int cycle = options.firstCycle();
      do {
        cycleOfFaults(cycle++);
      } while (System.nanoTime() < end);
      workload.stop();
      retrying.stop();
      if (bank != null) bank.stop();
      for (NodeProcess n : nodes) {
        if (!n.alive()) n.start();
        awaitReady(n);
      }
      for (NodeProcess n : nodes) {
        for (String key : keys) awaitFinal(n, key);
      }
      return check(TestPostgres.jdbcUrl(database), keys);
    } finally {
      if (workload != null) workload.stop();
      if (retrying != null) retrying.abandon();
      if (bank != null) bank.stop();
      nodes.forEach(NodeProcess::close);
    }
  }

  /** One of each fault, on rotating nodes. */
  private void cycleOfFaults(int cycle) throws Exception {
    NodeProcess a = nodes.get(cycle % 3);
    NodeProcess b = nodes.get((cycle + 1) % 3);
    NodeProcess c = nodes.get((cycle + 2) % 3);
    fault("SIGKILL node " + c.index + ", restart after " + HOLD.toSeconds() + " s", () -> {
      c.kill();
      sleep(HOLD);
      c.start();
    });
    fault("SIGSTOP node " + b.index + " for " + HOLD.toSeconds() + " s", () -> {
      b.pause();
      sleep(HOLD);
      b.resume();
    });
    fault("partition node " + a.index + " | others for " + PARTITION.toSeconds() + " s", () -> {
      for (NodeProcess other : List.of(b, c)) {
        a.blackhole(other, true);
        other.blackhole(a, true);
      }
      sleep(PARTITION);
      for (NodeProcess other : List.of(b, c)) {
        other.blackhole(a, false);
        a.blackhole(other, false);
      }
      // If the minority downed itself its process is on its way out, and /ready can still say yes
      // for a moment after the downing (measured: under a second). Wait until it has exited, or has
      // stayed ready for 3 s; then restart it if it is gone.
      long[] readySince = {0};
      await(READY, () -> {
        if (!a.alive()) return true;
        if (!a.ready()) {
          readySince[0] = 0;
          return false;
        }
        if (readySince[0] == 0) readySince[0] = System.nanoTime();
        return System.nanoTime() - readySince[0] > Duration.ofSeconds(3).toNanos();
      }, "node " + a.index + " to exit or stay ready");
      if (!a.alive()) a.start();
    });
    fault("stall the database connection of node " + b.index + " for " + HOLD.toSeconds() + " s", () -> {
      b.database.freeze();
      sleep(HOLD);
      b.database.thaw();
    });
  }

  private interface Action {
    void run() throws Exception;
  }

  private void fault(String name, Action action) throws Exception {
    double before = throughput(options.settle());
    long ok = workload.succeeded.get();
    long start = System.nanoTime();
    action.run();
    double during = (workload.succeeded.get() - ok) / seconds(System.nanoTime() - start);
    long healed = System.nanoTime();
    for (NodeProcess n : nodes) {
      if (!n.alive()) n.start();
      awaitReady(n);
    }
    for (NodeProcess n : nodes) {
      for (int k = 0; k < options.keys(); k++) awaitServing(n, "register-" + k);
    }
    double recovery = seconds(System.nanoTime() - healed);
    double after = throughput(options.settle());
    FaultReport report = new FaultReport(name, before, during, after, recovery);
    faults.add(report);
    options.out().printf("%-58s ops/s before %6.1f  during %6.1f  after %6.1f  recovered in %5.1f s%n",
        name, before, during, after, recovery);
  }

  private double throughput(Duration window) throws InterruptedException {
    long ok = workload.succeeded.get();
    sleep(window);
    return (workload.succeeded.get() - ok) / (double) window.toSeconds();
  }

  private void awaitReady(NodeProcess n) {
    await(READY, () -> {
      if (!n.alive()) n.start(); // a downed node exits; restart it as its supervisor would
      return n.ready();
    }, "node " + n.index + " ready");
  }

  /** Waits until the node answers a read of the key (its shard is placed, its entity recovered). */
  private void awaitServing(NodeProcess n, String key) {
    var last = new java.util.concurrent.atomic.AtomicReference<Workload.Response>();
    try {
      await(READY, () -> {
        if (!n.alive()) n.start(); // a node that went down after looking ready: restart it too
        var r = probe(n, key);
        last.set(r);
        return r != null && (r.status() == 200 || r.status() == 404);
      }, "node " + n.index + " serving " + key);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + "; last answer " + last.get() + ", process alive "
          + n.alive() + " (incarnation " + n.incarnation() + "), ready " + n.ready() + "\n" + n.logTail(40), e);
    }
  }

  private void awaitFinal(NodeProcess n, String key) {
    await(READY, () -> {
      var r = workload.read(100 + n.index, n, key);
      return r != null && (r.status() == 200 || r.status() == 404);
    }, "final read of " + key + " through node " + n.index);
  }

  private Workload.Response probe(NodeProcess n, String key) {
    return new Workload(List.of(n), List.of(key), Duration.ofSeconds(3)).read(-1, n, key);
  }

  private Report check(String jdbcUrl, List<String> keys) {
    List<String> violations = new ArrayList<>();
    List<String> undecided = new ArrayList<>();
    long lost = 0;
    long problems = 0;
    long events = 0;
    for (String key : keys) {
      var history = workload.history(key);
      CheckResult<RegisterOp, RegisterOutput> result = Checker.check(Models.register(), history,
          Duration.ofSeconds(60));
      if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
        violations.add(key + " (history: " + keep(key, history) + "):\n" + result.report());
      } else if (result.verdict() == Verdict.UNKNOWN) {
        undecided.add(key + " (history: " + keep(key, history) + ")");
      }
      var audit = JournalAudit.audit(jdbcUrl, key, workload.acknowledged(key), workload.observed(key));
      lost += audit.lostWrites().size();
      problems += audit.sequenceProblems().size() + audit.phantomReads().size();
      events += audit.events();
      if (!audit.clean()) options.out().println("journal audit of " + key + ": " + audit);
    }
    violations.forEach(v -> options.out().println("NOT LINEARIZABLE " + v));
    List<String> retryProblems = retrying.check(jdbcUrl, nodes.get(0));
    retryProblems.forEach(p -> options.out().println("RETRYING CLIENTS " + p));
    BankClients.Result banked = bank == null ? BankClients.Result.NONE : bank.check(jdbcUrl);
    banked.problems().forEach(p -> options.out().println("BANK " + p));
    return new Report(workload.size(), workload.succeeded.get(), workload.unknown.get(),
        workload.notApplied.get(), List.copyOf(faults), violations, undecided, lost, problems, events,
        retrying.writes.get(), retrying.retried.get(), retrying.increments(), retryProblems, banked);
  }

  /** Writes a key's history where {@code actorkv verify-history --format jepsen-etcd} reads it. */
  private Path keep(String key, List<Operation<RegisterOp, RegisterOutput>> history) {
    Path file = options.workDir().resolve("history-" + key + ".log");
    try {
      Files.write(file, JepsenEtcdHistory.format(history));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static void await(Duration timeout, BooleanSupplier condition, String what) {
    if (!Await.poll(timeout, condition)) throw new IllegalStateException("timed out waiting for " + what);
  }

  /** The fault schedule's own clock: holding a fault for a set time is the point here. */
  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static Path workDir(String name) {
    try {
      return Files.createTempDirectory(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
