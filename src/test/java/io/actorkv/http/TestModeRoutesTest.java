package io.actorkv.http;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /test/v1/blackhole} exists only in test mode and checks its peer at the boundary. */
class TestModeRoutesTest {

  @Test
  void givenTestModeOff_whenBlackholePosted_thenNotFoundAsJson(@TempDir Path dataDir) {
    try (Node node = TestNodes.single(dataDir)) {
      KvClient client = new KvClient(node.httpPort());

      HttpResponse<String> r = client.send("POST", "/test/v1/blackhole?peer=127.0.0.1:25520", null);

      assertEquals(404, r.statusCode(), r.body());
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
      assertEquals("not_found", json(r).get("error").asText());
    }
  }

  @Test
  void givenTestMode_whenPeerMalformedOrMissing_thenBadPeer(@TempDir Path dataDir) {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    settings.put(Setting.TEST_MODE, true);
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      KvClient client = new KvClient(node.httpPort());

      for (String peer : List.of("", "127.0.0.1", "127.0.0.1:", ":25520", "127.0.0.1:0", "127.0.0.1:65536",
          "127.0.0.1:port", "pekko://actorkv@127.0.0.1:25520", "actorkv@127.0.0.1:25520", "127.0.0.1:25520/x",
          "bad host:25520", "-host:25520")) {
        String query = "/test/v1/blackhole?peer=" + URLEncoder.encode(peer, StandardCharsets.UTF_8);
        HttpResponse<String> posted = client.send("POST", query, null);
        assertEquals(400, posted.statusCode(), peer + " -> " + posted.body());
        assertEquals("bad_peer", json(posted).get("error").asText(), peer);
        assertEquals(peer, json(posted).get("peer").asText(), peer);
      }

      HttpResponse<String> missing = client.send("POST", "/test/v1/blackhole", null);
      assertEquals(400, missing.statusCode(), missing.body());
      assertEquals("bad_peer", json(missing).get("error").asText());

      HttpResponse<String> healMalformed =
          client.send("DELETE", "/test/v1/blackhole?peer=nonsense", null);
      assertEquals(400, healMalformed.statusCode(), healMalformed.body());
      assertEquals("bad_peer", json(healMalformed).get("error").asText());
    }
  }
}
