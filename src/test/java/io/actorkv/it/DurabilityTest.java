package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every acknowledged write survives a hard stop of its node: a new node on the
 * same database reads every key back at the revision that was acknowledged.
 * (A SIGKILL of a real server process is in {@code ServerJarIT}.)
 */
class DurabilityTest {

  static final int KEYS = 150;

  record Expected(String value, long revision) {}

  @Test
  void acknowledgedWritesSurviveAHardStopOnPostgreSQL(@TempDir Path first, @TempDir Path second) {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    writeCrashAndReadBack(() -> TestNodes.single(first, url), () -> TestNodes.single(second, url));
  }

  @Test
  void acknowledgedWritesSurviveAHardStopOnTheEmbeddedH2Default(@TempDir Path dataDir) {
    writeCrashAndReadBack(() -> TestNodes.single(dataDir), () -> TestNodes.single(dataDir));
  }

  private static void writeCrashAndReadBack(Supplier<Node> before, Supplier<Node> after) {
    Map<String, Expected> acknowledged = new HashMap<>();
    Node node = before.get();
    KvClient kv = new KvClient(node.httpPort());
    assertEquals(201, kv.putNamespace("durable", "{\"mode\":\"strong\"}").statusCode());
    for (int i = 0; i < KEYS; i++) {
      String key = "key/" + i;
      // Keys get one to three revisions, so revisions are checked, not just presence.
      for (int r = 0; r <= i % 3; r++) {
        var put = kv.put("durable", key, "value " + i + "." + r);
        assertEquals(r == 0 ? 201 : 200, put.statusCode(), put.body());
        acknowledged.put(key, new Expected("value " + i + "." + r, KvClient.revision(put)));
      }
    }
    TestNodes.crash(node);

    Node restarted = after.get();
    try {
      KvClient again = new KvClient(restarted.httpPort());
      for (var e : acknowledged.entrySet()) {
        var read = again.get("durable", e.getKey());
        assertEquals(200, read.statusCode(), e.getKey() + ": " + read.body());
        assertEquals(e.getValue().value(), read.body());
        assertEquals(e.getValue().revision(), KvClient.revision(read), e.getKey());
      }
      assertEquals(KEYS, acknowledged.size());
    } finally {
      restarted.close();
    }
  }
}
