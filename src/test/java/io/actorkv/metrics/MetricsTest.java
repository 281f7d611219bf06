package io.actorkv.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on the management port, scraped over a real socket
 * before and after concurrent requests to the API: each request counter
 * moved by exactly the requests made, by route, method and status, and each
 * key operation by operation, mode and outcome; their latency histograms
 * hold every one of them; the cluster and the JVM are there.
 */
class MetricsTest {

  private static final String KEY_ROUTE = "/v1/kv/{namespace}/{key}";
  private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir
  Path dataDir;

  @Test
  void countersMoveByExactlyTheRequestsMadeAndHistogramsHoldThem() throws Exception {
    var settings = TestNodes.settings(dataDir, null, List.of());
    Node node = TestNodes.start(settings,
        com.typesafe.config.ConfigFactory.parseString("actorkv.metrics.sharding-interval = 200ms"));
    try {
      KvClient kv = new KvClient(node.httpPort());
      KvClient management = new KvClient((Integer) settings.get(Setting.MANAGEMENT_PORT));
      assertEquals(201, kv.putNamespace("carts", "{\"mode\":\"eventual\"}").statusCode());
      List<Sample> before = scrape(management);

      // Given concurrent load: 100 PUTs, 100 GETs found, 20 GETs of missing keys, 10 increments, 5 eventual PUTs.
      all(kv, 100, i -> kv.request("/v1/kv/default/k" + i).PUT(HttpRequest.BodyPublishers.ofString("v" + i)), 201);
      all(kv, 100, i -> kv.request("/v1/kv/default/k" + i).GET(), 200);
      all(kv, 20, i -> kv.request("/v1/kv/default/missing-" + i).GET(), 404);
      all(kv, 10, i -> kv.request("/v1/kv/default/visits/increment?by=1").POST(HttpRequest.BodyPublishers.noBody()),
          200);
      all(kv, 5, i -> kv.request("/v1/kv/carts/c" + i + "?w=local").PUT(HttpRequest.BodyPublishers.ofString("x")),
          201);

      List<Sample> after = scrape(management);
      Delta delta = new Delta(before, after);
      String http = "actorkv_http_requests_seconds_count";
      assertEquals(105, delta.of(http, "method", "PUT", "route", KEY_ROUTE, "status", "201"), "100 strong, 5 eventual");
      assertEquals(100, delta.of(http, "method", "GET", "route", KEY_ROUTE, "status", "200"));
      assertEquals(20, delta.of(http, "method", "GET", "route", KEY_ROUTE, "status", "404"));
      assertEquals(10, delta.of(http, "method", "POST", "route", KEY_ROUTE + "/increment", "status", "200"));
      assertEquals(235, delta.of(http), "no other request was counted");

      String ops = "actorkv_key_operations_seconds_count";
      assertEquals(100, delta.of(ops, "operation", "put", "mode", "strong", "outcome", "stored"));
      assertEquals(100, delta.of(ops, "operation", "get", "mode", "strong", "outcome", "found"));
      assertEquals(20, delta.of(ops, "operation", "get", "mode", "strong", "outcome", "not_found"));
      assertEquals(10, delta.of(ops, "operation", "increment", "mode", "strong", "outcome", "counted"));
      assertEquals(5, delta.of(ops, "operation", "put", "mode", "eventual", "outcome", "stored"));
      assertEquals(235, delta.of(ops));

      // The histograms hold every request: +Inf counts them all, and finite buckets filled.
      assertEquals(235, delta.of("actorkv_http_requests_seconds_bucket", "le", "+Inf"));
      assertEquals(235, delta.of("actorkv_key_operations_seconds_bucket", "le", "+Inf"));
      String bucket = "actorkv_http_requests_seconds_bucket";
      List<String> bounds = after.stream().filter(x -> x.matches(bucket, "method", "GET", "status", "200"))
          .map(x -> x.labels().get("le")).filter(le -> !le.equals("+Inf")).toList();
      assertTrue(bounds.size() > 10, "a latency histogram: " + bounds);
      assertEquals(100, bounds.stream()
          .mapToDouble(le -> delta.of(bucket, "method", "GET", "status", "200", "route", KEY_ROUTE, "le", le))
          .max().orElseThrow(), "every GET fell in a finite bucket");
      assertTrue(delta.of("actorkv_http_requests_seconds_sum") > 0);

      assertEquals(1, value(after, "actorkv_cluster_members", "status", "up"));
      assertEquals(0, value(after, "actorkv_cluster_members", "status", "joining"));
      assertEquals(0, value(after, "actorkv_cluster_unreachable"));
      assertTrue(value(after, "jvm_memory_used_bytes", "area", "heap") > 0);
      assertTrue(value(after, "jvm_threads_live_threads") > 0);
      assertTrue(after.stream().anyMatch(s -> s.name().startsWith("jvm_gc_")), "GC metrics");

      // Sharding: the shards on this node and their active keys (100 written, 20 missing ones read, one counter).
      Await.assertEventually(Duration.ofSeconds(10), () -> {
        List<Sample> now = scrape(management);
        double active = value(now, "actorkv_sharding_entities");
        assertTrue(active >= 121, "active keys: " + active);
        assertTrue(value(now, "actorkv_sharding_shards") > 0);
        assertEquals(value(now, "actorkv_sharding_shards"),
            value(now, "actorkv_sharding_moves_total", "direction", "in"), "every shard here came here once");
        // The eventual namespace's 5 keys, with their bytes.
        assertEquals(5, value(now, "actorkv_eventual_keys", "namespace", "carts"));
        assertTrue(value(now, "actorkv_eventual_bytes", "namespace", "carts") > 0);
        assertTrue(value(now, "actorkv_eventual_bucket_bytes_max", "namespace", "carts") > 0);
      });

      // The Grafana dashboard asks only for series a node exposes (GC pauses appear after the first collection).
      Matcher used = Pattern.compile("\\b(actorkv_\\w+|jvm_\\w+|process_\\w+)").matcher(
          Files.readString(Path.of("deploy/grafana/actorkv.json")));
      List<Sample> latest = scrape(management);
      int names = 0;
      while (used.find()) {
        String name = used.group(1);
        names++;
        if (!name.startsWith("jvm_gc_pause")) {
          assertTrue(latest.stream().anyMatch(x -> x.name().equals(name)), "the dashboard's " + name + " is exposed");
        }
      }
      assertTrue(names > 10, "the dashboard's queries name metrics");

      HttpResponse<String> raw = management.send("GET", "/metrics", null);
      assertTrue(raw.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    } finally {
      node.close();
    }
  }

  /** Sends {@code n} requests at once and checks every answer. */
  private static void all(KvClient kv, int n, java.util.function.IntFunction<HttpRequest.Builder> request,
                          int status) {
    List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, n)
        .mapToObj(i -> kv.sendAsync(request.apply(i).build(), HttpResponse.BodyHandlers.ofString()))
        .toList();
    for (CompletableFuture<HttpResponse<String>> answer : sent) {
      HttpResponse<String> r = answer.join();
      assertEquals(status, r.statusCode(), r.body());
    }
  }

  record Sample(String name, Map<String, String> labels, double value) {
    boolean matches(String wanted, String... labelPairs) {
      if (!name.equals(wanted)) return false;
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) return false;
      }
      return true;
    }
  }

  /** How much the samples matching a name and labels moved, summed. */
  record Delta(List<Sample> before, List<Sample> after) {
    double of(String name, String... labels) {
      return sum(after, name, labels) - sum(before, name, labels);
    }
  }

  private static double sum(List<Sample> samples, String name, String... labels) {
    return samples.stream().filter(s -> s.matches(name, labels)).mapToDouble(Sample::value).sum();
  }

  private static double value(List<Sample> samples, String name, String... labels) {
    List<Sample> found = samples.stream().filter(s -> s.matches(name, labels)).toList();
    assertTrue(!found.isEmpty(), name + " " + String.join(",", labels) + " is exposed");
    return found.stream().mapToDouble(Sample::value).sum();
  }

  private static List<Sample> scrape(KvClient management) {
    HttpResponse<String> r = management.send("GET", "/metrics", null);
    assertEquals(200, r.statusCode(), r.body());
    List<Sample> samples = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      Matcher m = LINE.matcher(line);
      assertTrue(m.matches(), "a sample line: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) labels.put(l.group(1), l.group(2));
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
    }
    return samples;
  }
}
