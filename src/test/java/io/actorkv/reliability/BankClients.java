package io.actorkv.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorkv.testing.Await;
import io.actorkv.verify.BankOp;
import io.actorkv.verify.BankOutput;
import io.actorkv.verify.CheckResult;
import io.actorkv.verify.Checker;
import io.actorkv.verify.Models;
import io.actorkv.verify.Operation;
import io.actorkv.verify.Verdict;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients moving money between a few counter accounts of the strong
 * {@code default} namespace by transaction ({@code POST /v1/txn}) through
 * random nodes: each step reads every account in one transaction, then
 * often transfers part of one balance to another account, on condition
 * that the source is still at the revision read. Every transaction is
 * recorded for the checker with {@link Models#bank}: one object over all
 * accounts, so a linearizable history is a strictly serializable one.
 *
 * <p>Outcomes are classified as the {@link Workload} does, and a {@code 409}
 * is certainly not applied too: a transaction answers it ({@code key_locked},
 * or a branch that cannot apply) only when no attempt of it was decided to
 * apply (docs/api.md, "Transactions"). A {@code 200} is known either way (the
 * compare held and the transfer applied, or it did not and nothing changed);
 * a timeout, 5xx or cut connection is unknown.
 */
final class BankClients {

  /** What the bank saw and what of it does not hold. */
  record Result(long transfers, long applied, long reads, long unknown, long notApplied, long locked,
                long checkMillis, List<String> problems) {
    static final Result NONE = new Result(0, 0, 0, 0, 0, 0, 0, List.of());

    String summary() {
      return String.format("bank: transfers=%d applied=%d reads=%d unknown=%d not-applied=%d (key-locked %d) "
          + "check=%d ms problems=%d", transfers, applied, reads, unknown, notApplied, locked, checkMillis,
          problems.size());
    }
  }

  /** A bank read that answered: balances and revisions, account by account. */
  private record Read(List<Long> balances, List<Long> revisions) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FINAL = Duration.ofSeconds(60);

  private final List<NodeProcess> nodes;
  private final List<String> accounts;
  private final long each;
  private final Duration timeout;
  private final long origin = System.nanoTime();
  private final List<Operation<BankOp, BankOutput>> history = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final ClientThreads threads = new ClientThreads();
  private Read opening;
  final AtomicLong transfers = new AtomicLong();
  final AtomicLong applied = new AtomicLong();
  final AtomicLong reads = new AtomicLong();
  final AtomicLong unknown = new AtomicLong();
  final AtomicLong notApplied = new AtomicLong();
  final AtomicLong locked = new AtomicLong();

  BankClients(List<NodeProcess> nodes, List<String> accounts, long each, Duration timeout) {
    this.nodes = nodes;
    this.accounts = accounts;
    this.each = each;
    this.timeout = timeout;
  }

  /**
   * Opens every account with {@code each} in one transaction (only if none
   * was written yet, so a send again cannot open them twice), reads the
   * opening balances and revisions, and starts the clients.
   */
  void start(int clients) {
    List<String> compare = accounts.stream().map(a -> "{\"namespace\":\"default\",\"key\":\"" + a
        + "\",\"target\":\"revision\",\"op\":\"=\",\"revision\":0}").toList();
    List<String> open = accounts.stream().map(a -> increment(a, each)).toList();
    String body = txn(compare, open, List.of());
    var answered = new AtomicReference<Read>();
    boolean ok = Await.poll(FINAL, () -> {
      Workload.Response r = post(random(), body);
      if (r == null || r.status() != 200) return false;
      answered.set(readAll());
      return answered.get() != null;
    });
    if (!ok) throw new IllegalStateException("could not open the bank accounts " + accounts);
    opening = answered.get();
    threads.start("bank-client", clients, this::step);
  }

  void stop() throws InterruptedException {
    threads.stop();
  }

  private void step(int client, long seq) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Read seen = read(client);
    if (seen == null || random.nextDouble() < 0.3) return;
    int from = random.nextInt(accounts.size());
    int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
    long balance = seen.balances().get(from);
    if (balance <= 0) return;
    transfer(client, from, to, 1 + random.nextLong(balance), seen.revisions().get(from));
  }

  private Read read(int client) {
    long call = now();
    Workload.Response r = post(random(), readAllBody());
    if (r == null || r.status() != 200) {
      classify(r, "a read of every account");
      return null; // a read that did not complete has no effect: nothing to record
    }
    Read read = parse(r);
    if (read == null) return null;
    record(Operation.completed(client, BankOp.readAll(), call, BankOutput.read(read.balances(), read.revisions()),
        now()));
    reads.incrementAndGet();
    return read;
  }

  private void transfer(int client, int from, int to, long amount, long fromRevision) {
    BankOp op = BankOp.transfer(from, to, amount, fromRevision);
    String compare = "{\"namespace\":\"default\",\"key\":\"" + accounts.get(from)
        + "\",\"target\":\"revision\",\"op\":\"=\",\"revision\":" + fromRevision + "}";
    String body = txn(List.of(compare),
        List.of(increment(accounts.get(from), -amount), increment(accounts.get(to), amount)), List.of());
    transfers.incrementAndGet();
    long call = now();
    Workload.Response r = post(random(), body);
    long ret = now();
    if (r != null && r.status() == 200) {
      boolean succeeded = json(r).get("succeeded").asBoolean();
      if (succeeded) applied.incrementAndGet();
      record(Operation.completed(client, op, call, BankOutput.transferred(succeeded), ret));
    } else if (classify(r, op.toString())) {
      record(Operation.unknown(client, op, call));
    }
  }

  /** Counts a transaction that did not answer 200; true if its outcome is unknown. */
  private boolean classify(Workload.Response r, String what) {
    if (Workload.certainlyNotApplied(r) || (r != null && r.status() == 409)) {
      notApplied.incrementAndGet();
      if (r != null && r.body().contains("\"key_locked\"")) locked.incrementAndGet();
      return false;
    }
    if (r != null && r.status() >= 400 && r.status() < 500) {
      problem(what + " answered " + r.status() + " " + r.body());
      return false;
    }
    unknown.incrementAndGet();
    return true;
  }

  /** A read of every account through a random node, not recorded; null if it did not answer 200. */
  private Read readAll() {
    Workload.Response r = post(random(), readAllBody());
    return r != null && r.status() == 200 ? parse(r) : null;
  }

  private String readAllBody() {
    return txn(List.of(), accounts.stream().map(a -> "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"" + a
        + "\"}").toList(), List.of());
  }

  /** The balances and revisions a read of every account answered; null, and a problem, if an account is missing. */
  private Read parse(Workload.Response r) {
    List<Long> balances = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    for (JsonNode result : json(r).get("results")) {
      if (result.get("status").asInt() != 200) {
        problem("a read of every account found one missing: " + r.body());
        return null;
      }
      byte[] value = Base64.getDecoder().decode(result.get("value").asText());
      balances.add(Long.parseLong(new String(value, StandardCharsets.UTF_8)));
      revisions.add(result.get("revision").asLong());
    }
    return new Read(balances, revisions);
  }

  /**
   * After {@link #stop} with every node up: each account answers a plain
   * read (no lock left on it), a last read of every account is recorded,
   * every read sums to the total opened, the history passes the checker,
   * and each account's journal is contiguous and its increments add up to
   * its last balance and revision. Returns what does not hold.
   */
  Result check(String jdbcUrl) {
    for (NodeProcess node : nodes) {
      for (String account : accounts) {
        var last = new AtomicReference<Workload.Response>();
        boolean served = Await.poll(FINAL, () -> {
          last.set(Workload.send(node, account, "", HttpRequest.newBuilder().GET(), timeout));
          return last.get() != null && last.get().status() == 200;
        });
        if (!served) problem(account + " through node " + node.index + " does not answer a read in " + FINAL
            + " (still locked?): last " + last.get());
      }
    }
    var last = new AtomicReference<Read>();
    if (!Await.poll(FINAL, () -> {
      last.set(read(-1));
      return last.get() != null;
    })) {
      problem("no read of every account answered in " + FINAL);
    }
    long total = each * accounts.size();
    List<Operation<BankOp, BankOutput>> ops = history();
    List<String> torn = ops.stream().filter(o -> o.input().kind() == BankOp.Kind.READ_ALL)
        .filter(o -> o.output().total() != total).map(o -> o.output().balances() + " at " + o.call()).toList();
    if (!torn.isEmpty()) {
      problem(torn.size() + " reads of every account do not sum to " + total + ", first " + torn.get(0));
    }
    CheckResult<BankOp, BankOutput> result = Checker.check(
        Models.bank(opening.balances(), opening.revisions()), ops, Duration.ofSeconds(60));
    if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
      problem("the transactions are not strictly serializable: " + result.report());
    } else if (result.verdict() == Verdict.UNKNOWN) {
      problem("the checker could not decide the bank's history: " + result.report());
    }
    if (last.get() != null) audit(jdbcUrl, last.get(), total);
    return new Result(transfers.get(), applied.get(), reads.get(), unknown.get(), notApplied.get(), locked.get(),
        result.elapsed().toMillis(), List.copyOf(problems));
  }

  /** The journal against the last read: contiguous events, increments summing to each balance. */
  private void audit(String jdbcUrl, Read last, long total) {
    long journalTotal = 0;
    for (int i = 0; i < accounts.size(); i++) {
      String account = accounts.get(i);
      var audit = JournalAudit.audit(jdbcUrl, account, Set.of(), Set.of());
      audit.sequenceProblems().forEach(p -> problem(account + " journal: " + p));
      long sum = JournalAudit.rows(jdbcUrl, account).stream().mapToLong(JournalAudit.Row::by).sum();
      journalTotal += sum;
      if (sum != last.balances().get(i) || audit.events() != last.revisions().get(i)) {
        problem(account + ": the journal holds " + audit.events() + " events whose increments sum to " + sum
            + ", the last read " + last.balances().get(i) + " at revision " + last.revisions().get(i));
      }
    }
    if (journalTotal != total) problem("the journal's increments of every account sum to " + journalTotal
        + ", not " + total);
  }

  private Workload.Response post(NodeProcess node, String body) {
    return Workload.request(node, "/v1/txn", HttpRequest.newBuilder().header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), timeout);
  }

  private NodeProcess random() {
    return nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
  }

  private static String increment(String account, long by) {
    return "{\"op\":\"increment\",\"namespace\":\"default\",\"key\":\"" + account + "\",\"by\":" + by + "}";
  }

  private static String txn(List<String> compare, List<String> success, List<String> failure) {
    return "{\"compare\":" + list(compare) + ",\"success\":" + list(success) + ",\"failure\":" + list(failure) + "}";
  }

  private static String list(List<String> entries) {
    StringJoiner j = new StringJoiner(",", "[", "]");
    entries.forEach(j::add);
    return j.toString();
  }

  private static JsonNode json(Workload.Response r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + r.body(), e);
    }
  }

  private synchronized void record(Operation<BankOp, BankOutput> op) {
    history.add(op);
  }

  private synchronized List<Operation<BankOp, BankOutput>> history() {
    return List.copyOf(history);
  }

  private synchronized void problem(String what) {
    problems.add(what);
  }

  private long now() {
    return System.nanoTime() - origin;
  }
}
