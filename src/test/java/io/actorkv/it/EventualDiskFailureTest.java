package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose disk refuses its eventual replicas (here an LMDB map of
 * 1 MiB that fills; a full disk in life) stops taking eventual writes,
 * over real sockets, and serves the rest. It used to answer 201 for every
 * write while none reached the disk, and lose them all when it stopped.
 */
class EventualDiskFailureTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void writesTheDiskRefusesAreRefusedAndTheRestServes(@TempDir Path dataDir) {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    Node node = TestNodes.start(settings, ConfigFactory.parseString(
        "pekko.cluster.distributed-data.durable.lmdb.map-size = 1 MiB"));
    String management = "http://127.0.0.1:" + settings.get(Setting.MANAGEMENT_PORT);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\",\"write\":\"local\"}").statusCode());
      Await.assertEventually(Duration.ofSeconds(30), () -> assertEquals(200, status(management + "/ready")));
      // Random letters: replicas are compressed, and a repeated byte would take no room.
      Random random = new Random(7);
      String value = random.ints(60 * 1024, 'a', 'z' + 1)
          .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
      assertEquals(201, kv.put("ev", "first", value).statusCode());

      // Written behind: the writes are taken until a batch of them does not fit.
      AtomicInteger written = new AtomicInteger();
      AtomicReference<HttpResponse<String>> refused = new AtomicReference<>();
      Await.assertEventually(Duration.ofSeconds(30), () -> {
        HttpResponse<String> r = kv.put("ev", "k" + written.incrementAndGet(), value);
        assertEquals(503, r.statusCode(), r.body());
        refused.set(r);
      });
      assertEquals("replicas_unavailable", json(refused.get()).get("error").asText(), refused.get().body());
      assertTrue(json(refused.get()).has("mayHaveApplied"), refused.get().body());
      HttpResponse<String> next = kv.put("ev", "after", "small");
      assertEquals(503, next.statusCode(), next.body());
      assertEquals(false, json(next).get("mayHaveApplied").asBoolean(), "refused before it changed anything");
      assertEquals(404, kv.get("ev", "after").statusCode());
      // Still ready: the map fills on every node at once, and no node ready would leave strong keys none.
      assertEquals(200, status(management + "/ready"));
      assertEquals(value, kv.get("ev", "first").body(), "reads go on from memory");
      assertEquals(201, kv.put("default", "strong", "v").statusCode(), "strong namespaces are not concerned");
    } finally {
      node.close();
    }
  }

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(url + ": " + e, e);
    }
  }
}
