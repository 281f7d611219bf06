package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench against a real node in this JVM, which takes bearer tokens: a
 * put run, then a get run over the loaded keyspace, each request with the
 * token given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchAgainstNodeTest {

  Node node;
  KvClient kv;
  Optional<String> token;
  String[] auth;

  @BeforeAll
  void start(@TempDir Path dir) {
    TestTokens tokens = new TestTokens(dir);
    node = TestNodes.start(TestNodes.settings(dir.resolve("data"), null, List.of()), ConfigFactory.empty()
        .withValue("actorkv.auth.secret-file", ConfigValueFactory.fromAnyRef(tokens.secretFile.toString())));
    token = Optional.of(tokens.hs256("bench", "root"));
    auth = TestTokens.bearer(token.get());
    kv = new KvClient(node.httpPort());
    Await.until(Duration.ofSeconds(30), () -> kv.put("default", "ready", "yes", auth).statusCode() / 100 == 2);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  BenchSettings settings(String workload, String namespace) {
    return new BenchSettings(URI.create("http://127.0.0.1:" + node.httpPort()), TargetProtocol.Kind.ACTORKV, namespace,
        Workload.of(workload, 0.5, Workload.Distribution.UNIFORM), 200, 64, 4, Duration.ofMillis(1200),
        Duration.ofMillis(200), 0, true, 1, Duration.ofSeconds(10), Optional.empty(), token);
  }

  BenchResult run(BenchSettings settings, ByteArrayOutputStream log) throws IOException {
    return new LoadRunner(settings, new PrintStream(log, true, StandardCharsets.UTF_8), false).run();
  }

  @Test
  void putThenGetReportThroughputAndNoErrors() throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    BenchResult puts = run(settings("put", "default"), log);
    BenchResult gets = run(settings("get", "default"), log);

    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(puts.count() > 0 && puts.opsPerSecond() > 0, printed);
    assertEquals(Map.of(), puts.errors(), printed);
    assertTrue(gets.count() > 0 && gets.opsPerSecond() > 0, printed);
    assertEquals(Map.of(), gets.errors(), printed);
    assertTrue(printed.contains("loaded 200 keys"), "a read workload loads the keyspace first: " + printed);
    assertEquals(200, kv.get("default", "key-199", auth).statusCode());
  }

  @Test
  void aMixedRunCreatesItsNamespaceAndReadsOnlyLoadedKeys() throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    BenchResult mixed = run(settings("ycsb-a", "bench"), log);

    assertTrue(mixed.count() > 0, log.toString(StandardCharsets.UTF_8));
    assertEquals(Map.of(), mixed.errors(), log.toString(StandardCharsets.UTF_8));
    assertEquals(200, kv.get("bench", "key-0", auth).statusCode());
  }

  @Test
  void withoutTheTokenEveryRequestIs401() throws IOException {
    token = Optional.empty();
    try {
      BenchResult puts = run(settings("put", "default"), new ByteArrayOutputStream());

      assertEquals(0, puts.count());
      assertEquals(java.util.Set.of("http_401"), puts.errors().keySet());
    } finally {
      token = Optional.of(auth[1].substring("Bearer ".length()));
    }
  }
}
