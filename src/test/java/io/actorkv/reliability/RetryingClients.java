package io.actorkv.reliability;

import io.actorkv.testing.Await;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients that never give up on a write: each increments counters and puts
 * unique values with an {@code Idempotency-Key}, and sends every request
 * whose outcome it does not know (a timeout, a cut or refused connection,
 * a 5xx) again, with the same key, through a random node, until it is
 * answered. Afterwards each counter must equal the increments asked for,
 * and each value must be in its key's journal exactly once: a retry that
 * applied a write a second time, or a write that was lost, shows there.
 */
final class RetryingClients {

  /** A write that got no answer in this long fails the run: something never recovered. */
  private static final Duration GIVE_UP = Duration.ofMinutes(3);

  private final List<NodeProcess> nodes;
  private final List<String> counters;
  private final List<String> registers;
  private final Duration timeout;
  private final Map<String, AtomicLong> requested = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> written = new ConcurrentHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final ClientThreads threads = new ClientThreads();
  final AtomicLong writes = new AtomicLong();
  final AtomicLong retried = new AtomicLong();
  final AtomicLong attempts = new AtomicLong();

  RetryingClients(List<NodeProcess> nodes, List<String> counters, List<String> registers, Duration timeout) {
    this.nodes = nodes;
    this.counters = counters;
    this.registers = registers;
    this.timeout = timeout;
    counters.forEach(c -> requested.put(c, new AtomicLong()));
    registers.forEach(r -> written.put(r, ConcurrentHashMap.newKeySet()));
  }

  void start(int clients) {
    threads.start("retrying-client", clients, this::step);
  }

  /** Stops starting writes and waits until every write started has been answered. */
  void stop() throws InterruptedException {
    threads.stop();
  }

  /** A run that failed: stops at once, writes unanswered. */
  void abandon() throws InterruptedException {
    threads.interruptAndStop();
  }

  private void step(int client, long seq) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (random.nextBoolean()) {
      String counter = counters.get(random.nextInt(counters.size()));
      requested.get(counter).incrementAndGet();
      untilAnswered(counter, "/increment", () -> HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.noBody()));
    } else {
      String register = registers.get(random.nextInt(registers.size()));
      String value = "r" + client + "-" + seq;
      written.get(register).add(value);
      untilAnswered(register, "", () -> HttpRequest.newBuilder().PUT(HttpRequest.BodyPublishers.ofString(value)));
    }
  }

  private interface Request {
    HttpRequest.Builder build();
  }

  private void untilAnswered(String key, String suffix, Request request) {
    String idempotencyKey = UUID.randomUUID().toString();
    long giveUp = System.nanoTime() + GIVE_UP.toNanos();
    writes.incrementAndGet();
    for (int attempt = 0; ; attempt++) {
      NodeProcess node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
      attempts.incrementAndGet();
      if (attempt == 1) retried.incrementAndGet();
      Workload.Response r = Workload.send(node, key, suffix,
          request.build().header("Idempotency-Key", idempotencyKey), timeout);
      if (r != null && r.status() >= 200 && r.status() < 300) return;
      if (r != null && r.status() >= 400 && r.status() < 500) {
        problem(key + suffix + " with " + idempotencyKey + " answered " + r.status() + " " + r.body());
        return;
      }
      if (System.nanoTime() > giveUp) {
        problem(key + suffix + " with " + idempotencyKey + " got no answer in " + GIVE_UP + "; last " + r);
        return;
      }
      backOff(attempt);
    }
  }

  /** A retrying client's pause: 50 ms doubling to 1 s, so a node that is down is not hammered. */
  private static void backOff(int attempt) {
    try {
      Thread.sleep(Math.min(1000, 50L << Math.min(attempt, 5)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private synchronized void problem(String what) {
    problems.add(what);
  }

  /**
   * After {@link #stop}: every counter at exactly the increments asked for,
   * both as read and as the journal's increment events, and every value in
   * its key's journal exactly once. Returns what does not hold.
   */
  synchronized List<String> check(String jdbcUrl, NodeProcess node) {
    List<String> found = new ArrayList<>(problems);
    for (String counter : counters) {
      long asked = requested.get(counter).get();
      long events = JournalAudit.rows(jdbcUrl, counter).stream().filter(r -> r.manifest().equals("kv.increment"))
          .count();
      var read = new AtomicReference<Workload.Response>();
      Await.poll(Duration.ofSeconds(30), () -> {
        read.set(Workload.send(node, counter, "", HttpRequest.newBuilder().GET(), timeout));
        return read.get() != null && (read.get().status() == 200 || read.get().status() == 404);
      });
      String value = read.get() == null ? "no answer" : read.get().status() == 404 ? "0" : read.get().body();
      if (events != asked || !value.equals(Long.toString(asked))) {
        found.add(counter + ": " + asked + " increments asked for, " + events + " in the journal, reads " + value);
      }
    }
    for (String register : registers) {
      Map<String, Integer> times = new HashMap<>();
      JournalAudit.rows(jdbcUrl, register).forEach(r -> {
        if (r.value() != null) times.merge(r.value(), 1, Integer::sum);
      });
      for (String value : written.get(register)) {
        int n = times.getOrDefault(value, 0);
        if (n != 1) found.add(register + ": " + value + " is in the journal " + n + " times");
      }
      if (times.size() != written.get(register).size()) {
        found.add(register + ": " + times.size() + " values in the journal, " + written.get(register).size()
            + " written");
      }
    }
    return found;
  }

  long increments() {
    return requested.values().stream().mapToLong(AtomicLong::get).sum();
  }
}
