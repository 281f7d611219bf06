package io.actorkv.security;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safe default: without token keys a node serves loopback only; beyond
 * it only with {@code --insecure}, which says so on {@code GET /v1/cluster}.
 */
class InsecureNodeTest {

  @Test
  void givenNoAuthAndAllInterfaces_thenTheNodeRefusesToStartAndSaysHowToConfigureIt(@TempDir Path dir) {
    var settings = TestNodes.settings(dir, null, List.of());
    settings.put(Setting.HTTP_HOST, "0.0.0.0");

    var refused = assertThrows(IllegalArgumentException.class, () -> TestNodes.start(settings,
        ConfigFactory.empty()));

    assertTrue(refused.getMessage().contains("--auth-secret-file FILE"), refused.getMessage());
    assertTrue(refused.getMessage().contains("--insecure"), refused.getMessage());
  }

  @Test
  void givenInsecure_thenItServesEveryInterfaceWithAWarningOnTheClusterStatus(@TempDir Path dir) {
    var settings = TestNodes.settings(dir, null, List.of());
    settings.put(Setting.HTTP_HOST, "0.0.0.0");
    settings.put(Setting.INSECURE, true);
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      var cluster = new KvClient(node.httpPort()).send("GET", "/v1/cluster", null);

      assertEquals(200, cluster.statusCode(), cluster.body());
      assertTrue(json(cluster).get("warning").asText().startsWith("INSECURE"), cluster.body());
    }
  }

  @Test
  void givenLoopbackWithoutAuth_thenNoWarningAndTheAnonymousPrincipalMayDoAnything(@TempDir Path dir) {
    try (Node node = TestNodes.single(dir)) {
      KvClient kv = new KvClient(node.httpPort());

      assertFalse(json(kv.send("GET", "/v1/cluster", null)).has("warning"));
      assertEquals(201, kv.put("default", "k", "v").statusCode());
      assertEquals("anonymous", json(kv.send("GET", "/v1/history/default/k", null)).get("revisions").get(0)
          .get("principal").asText());
      assertEquals(201, kv.send("PUT", "/v1/auth/roles/prepared", "{\"grants\":[]}").statusCode());
    }
  }
}
