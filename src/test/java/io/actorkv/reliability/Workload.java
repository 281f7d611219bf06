package io.actorkv.reliability;

import io.actorkv.verify.Operation;
import io.actorkv.verify.RegisterOp;
import io.actorkv.verify.RegisterOutput;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients doing read, write and compare-and-set on a few strong
 * keys through random nodes, recording every operation's invocation and
 * completion for the linearizability checker.
 *
 * <p>Outcomes: a 2xx, a 404 read and a 412 compare-and-set are known. A
 * refused connection, 503 {@code not_ready} and 503
 * {@code namespaces_unavailable} are answered before the key is touched, so
 * the operation certainly did not happen and is left out. Anything else (a
 * timeout, 504, 500, a reset connection) is an unknown outcome: it may have
 * taken effect at any point after its invocation, or never.
 *
 * <p>Compare-and-set is by revision over HTTP and by value in the model. They
 * agree because every written value is unique and there are no deletes or
 * expiries: a key's revision r and the value written at r identify each other.
 */
final class Workload {

  record Recorded(String key, Operation<RegisterOp, RegisterOutput> operation) {}

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  private final List<NodeProcess> nodes;
  private final List<String> keys;
  private final Duration timeout;
  private final long origin = System.nanoTime();
  private final List<Recorded> history = new ArrayList<>();
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> observed = new ConcurrentHashMap<>();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong unknown = new AtomicLong();
  final AtomicLong notApplied = new AtomicLong();
  private final ClientThreads threads = new ClientThreads();

  Workload(List<NodeProcess> nodes, List<String> keys, Duration timeout) {
    this.nodes = nodes;
    this.keys = keys;
    this.timeout = timeout;
  }

  void start(int clients) {
    threads.start("client", clients, this::step);
  }

  void stop() throws InterruptedException {
    threads.stop();
  }

  private void step(int client, long seq) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String key = keys.get(random.nextInt(keys.size()));
    NodeProcess node = nodes.get(random.nextInt(nodes.size()));
    double dice = random.nextDouble();
    if (dice < 0.4) {
      read(client, node, key);
    } else if (dice < 0.7) {
      write(client, node, key, "c" + client + "-" + seq, null, null);
    } else {
      Response seen = read(client, node, key);
      if (seen != null && seen.status == 200) {
        write(client, node, key, "c" + client + "-" + seq, seen.body, seen.revision);
      }
    }
  }

  /** A final read of a key through one node, recorded like any other. */
  Response read(int client, NodeProcess node, String key) {
    long call = now();
    Response r = send(node, key, HttpRequest.newBuilder().GET());
    if (r == null || !(r.status == 200 || r.status == 404)) {
      count(r);
      return r; // a read that did not complete has no effect: nothing to record
    }
    String value = r.status == 200 ? r.body : null;
    if (value != null) observed.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
    record(key, Operation.completed(client, RegisterOp.read(), call, RegisterOutput.read(value), now()));
    succeeded.incrementAndGet();
    return r;
  }

  private void write(int client, NodeProcess node, String key, String value, String expected, String revision) {
    RegisterOp op = expected == null ? RegisterOp.write(value) : RegisterOp.cas(expected, value);
    HttpRequest.Builder b = HttpRequest.newBuilder().PUT(HttpRequest.BodyPublishers.ofString(value));
    if (revision != null) b.header("If-Match", "\"" + revision + "\"");
    long call = now();
    Response r = send(node, key, b);
    long ret = now();
    if (r != null && (r.status == 200 || r.status == 201)) {
      acknowledged.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
      record(key, Operation.completed(client, op, call, RegisterOutput.ok(), ret));
      succeeded.incrementAndGet();
    } else if (r != null && r.status == 412 && expected != null) {
      record(key, Operation.completed(client, op, call, RegisterOutput.casFailed(), ret));
      succeeded.incrementAndGet();
    } else if (certainlyNotApplied(r)) {
      notApplied.incrementAndGet();
    } else {
      record(key, Operation.unknown(client, op, call));
      unknown.incrementAndGet();
    }
  }

  private void count(Response r) {
    if (certainlyNotApplied(r)) notApplied.incrementAndGet();
    else unknown.incrementAndGet();
  }

  /** Answered before anything was touched: a refused connection, or a node or its namespaces not ready. */
  static boolean certainlyNotApplied(Response r) {
    if (r == null) return false;
    if (r.refused) return true;
    return r.status == 503 && (r.body.contains("\"not_ready\"") || r.body.contains("\"namespaces_unavailable\""));
  }

  record Response(int status, String body, String revision, boolean refused) {}

  private Response send(NodeProcess node, String key, HttpRequest.Builder builder) {
    return send(node, key, "", builder, timeout);
  }

  /**
   * One request to {@code /v1/kv/default/<key><suffix>} through {@code node}:
   * its answer, a refused connection, or null when the outcome is unknown.
   */
  static Response send(NodeProcess node, String key, String suffix, HttpRequest.Builder builder, Duration timeout) {
    return request(node, "/v1/kv/default/" + URLEncoder.encode(key, StandardCharsets.UTF_8) + suffix, builder,
        timeout);
  }

  /** One request to {@code path} through {@code node}: its answer, a refused connection, or null when unknown. */
  static Response request(NodeProcess node, String path, HttpRequest.Builder builder, Duration timeout) {
    URI uri = URI.create("http://127.0.0.1:" + node.httpPort + path);
    try {
      HttpResponse<String> r = HTTP.send(builder.uri(uri).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(),
          r.headers().firstValue("ETag").map(e -> e.replace("\"", "")).orElse(null), false);
    } catch (ConnectException e) {
      return new Response(0, "", null, true);
    } catch (IOException e) {
      return null; // timed out or cut off after sending: unknown
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private synchronized void record(String key, Operation<RegisterOp, RegisterOutput> op) {
    history.add(new Recorded(key, op));
  }

  long now() {
    return System.nanoTime() - origin;
  }

  synchronized List<Operation<RegisterOp, RegisterOutput>> history(String key) {
    return history.stream().filter(r -> r.key().equals(key)).map(Recorded::operation).toList();
  }

  synchronized int size() {
    return history.size();
  }

  Set<String> acknowledged(String key) {
    return acknowledged.getOrDefault(key, Set.of());
  }

  Set<String> observed(String key) {
    return observed.getOrDefault(key, Set.of());
  }
}
