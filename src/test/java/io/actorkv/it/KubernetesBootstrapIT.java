package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorkv.testing.Await;
import io.actorkv.testing.FakeKubernetesApi;
import io.actorkv.testing.FreePorts;
import io.actorkv.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --discovery kubernetes} as it runs in pods: the packaged jar, one
 * process per "pod" on its own loopback address (127.0.0.1, .2, .3, later .4)
 * with the same ports on every pod, no seeds, one shared PostgreSQL, and a
 * fake Kubernetes API server over HTTPS that lists those pods. The settings
 * come as the Deployment in deploy/kubernetes gives them: ACTORKV_*
 * variables, POD_NAMESPACE and the API server's service variables; only the
 * service account's files (CA and token) are moved, as they exist only in pods.
 */
class KubernetesBootstrapIT {

  private static final String NAMESPACE = "actorkv-it";
  private static final String SELECTOR = "app=actorkv";
  private static final Duration FORMATION = Duration.ofSeconds(60);

  private final int httpPort = FreePorts.next();
  private final int remotePort = FreePorts.next();
  private final int managementPort = FreePorts.next();
  private final List<Process> pods = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private FakeKubernetesApi api;
  private Path tmp;

  /** SIGKILL: nothing is checked after the test, and a graceful leave (ServerJarIT) takes seconds per pod. */
  @AfterEach
  void stopPods() throws InterruptedException {
    for (Process p : pods) p.destroyForcibly();
    for (Process p : pods) p.waitFor(30, TimeUnit.SECONDS);
    if (api != null) api.close();
  }

  @Test
  void givenThreePodsAndAnApiThatAnswers503First_thenOneClusterFormsOnceItAnswersAndAFourthPodJoins(
      @TempDir Path tmp) throws Exception {
    this.tmp = tmp;
    api = new FakeKubernetesApi(tmp.resolve("serviceaccount"), NAMESPACE, SELECTOR, managementPort);
    String dbUrl = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    List<String> first = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    first.forEach(api::addPod);

    // Given three pods started together while the API server answers 503
    for (String ip : first) start(ip, dbUrl);
    Await.until(FORMATION, () -> first.stream().allMatch(this::managementListens) && api.unavailableAnswers() >= 6);
    // then none has formed a cluster of its own (not ready: management answers 500): they keep asking
    for (String ip : first) {
      assertNotEquals(200, readyStatus(ip), ip + " is ready without any other pod known:\n" + logs());
    }

    // When the API server answers
    api.available();

    // Then the three form one cluster of three Up members
    Await.assertEventually(FORMATION, () -> {
      for (String ip : first) assertMembersUp(ip, first);
    });

    // When a fourth pod is added to the list and starts
    api.addPod("127.0.0.4");
    start("127.0.0.4", dbUrl);

    // Then it joins the same cluster
    List<String> all = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");
    Await.assertEventually(FORMATION, () -> {
      for (String ip : all) assertMembersUp(ip, all);
    });
    Await.until(FORMATION, () -> readyStatus("127.0.0.4") == 200);

    // And a write on one pod reads back on the others
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(kv("127.0.0.1", "greeting"))
        .PUT(HttpRequest.BodyPublishers.ofString("hello from pod 1")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, put.statusCode(), put.body());
    for (String ip : List.of("127.0.0.3", "127.0.0.4")) {
      HttpResponse<String> get = http.send(HttpRequest.newBuilder(kv(ip, "greeting")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, get.statusCode(), ip + ": " + get.body());
      assertEquals("hello from pod 1", get.body());
    }
    // And discovery asked for nothing but the pod list its Role allows
    assertEquals(List.of(), api.unexpectedRequests());
    assertTrue(api.podListAnswers() >= 4, "pod lists served: " + api.podListAnswers());
  }

  /** Every node sees exactly these pods' addresses as Up members, and the same leader. */
  private void assertMembersUp(String ip, List<String> ips) {
    JsonNode cluster = get(URI.create("http://" + ip + ":" + httpPort + "/v1/cluster"));
    TreeSet<String> up = new TreeSet<>();
    for (JsonNode m : cluster.path("members")) {
      if (m.path("status").asText().equals("Up")) up.add(m.path("address").asText());
    }
    TreeSet<String> expected = new TreeSet<>();
    for (String i : ips) expected.add("pekko://actorkv@" + i + ":" + remotePort);
    assertEquals(expected, up, ip + " sees " + cluster);
    assertEquals("pekko://actorkv@127.0.0.1:" + remotePort, cluster.path("leader").asText(), cluster.toString());
  }

  private JsonNode get(URI uri) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      return json.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean managementListens(String ip) {
    return readyStatus(ip) != -1;
  }

  /** Management's {@code /ready}: 200 once the node is an Up member; -1 while nothing listens. */
  private int readyStatus(String ip) {
    pods.forEach(p -> assertTrue(p.isAlive(), () -> "a pod exited:\n" + logs()));
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + managementPort + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException notListening) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private URI kv(String ip, String key) {
    return URI.create("http://" + ip + ":" + httpPort + "/v1/kv/default/" + key);
  }

  /** One pod: the jar with the environment the Deployment gives it; the pod IP is a loopback address. */
  private void start(String ip, String dbUrl) throws IOException {
    Path log = tmp.resolve("pod-" + ip + ".log");
    List<String> command = List.of("java", "-Xmx384m", "-XX:TieredStopAtLevel=1",
        // Where the service account's files are in a pod; here the fake API server's.
        "-Dpekko.discovery.kubernetes-api.api-ca-path=" + api.caFile(),
        "-Dpekko.discovery.kubernetes-api.api-token-path=" + api.tokenFile(),
        // Quicker than in production, to keep the test short: retries after a 503, and waiting for a stable list.
        "-Dpekko.management.cluster.bootstrap.contact-point-discovery.exponential-backoff-max=2s",
        "-Dactorkv.kubernetes.stable-margin=2s",
        "-jar", ServerJarIT.JAR.toString(), "serve");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.putAll(api.serviceEnvironment());
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("ACTORKV_DISCOVERY", "kubernetes");
    env.put("ACTORKV_REQUIRED_CONTACT_POINTS", "3");
    env.put("ACTORKV_HTTP_HOST", ip);
    env.put("ACTORKV_REMOTE_HOST", ip);
    env.put("ACTORKV_HTTP_PORT", Integer.toString(httpPort));
    env.put("ACTORKV_REMOTE_PORT", Integer.toString(remotePort));
    env.put("ACTORKV_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("ACTORKV_DATA_DIR", tmp.resolve("data-" + ip).toString());
    env.put("ACTORKV_DB_URL", dbUrl);
    env.put("ACTORKV_DB_USER", "postgres");
    env.put("ACTORKV_DB_PASSWORD", "postgres");
    pods.add(pb.start());
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(tmp)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("pod-")).sorted().toList()) {
        out.append("==== ").append(f.getFileName()).append('\n').append(Files.readString(f));
      }
    } catch (IOException e) {
      out.append("(logs unreadable: ").append(e).append(')');
    }
    return out.toString();
  }
}
