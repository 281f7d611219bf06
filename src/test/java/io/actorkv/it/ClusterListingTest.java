package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes sharing one PostgreSQL journal both feed the one key index: a
 * listing on either node, right after writes through both, shows every
 * acknowledged key exactly once, at its latest revision, and a counter
 * incremented through both at its count: a page of changes applied twice
 * would count its increments twice.
 */
class ClusterListingTest {

  @Test
  void bothNodesFeedOneIndexAndEitherListsEveryAcknowledgedWrite(@TempDir Path d1, @TempDir Path d2)
      throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    List<Node> nodes = TestNodes.startCluster(url, ConfigFactory.empty(), d1, d2);
    try {
      KvClient a = new KvClient(nodes.get(0).httpPort());
      KvClient b = new KvClient(nodes.get(1).httpPort());
      CompletableFuture<Void> viaA = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 150; i++) {
          assertTrue(a.put("default", String.format("a%03d", i), "1").statusCode() < 300);
          assertEquals(200, a.send("POST", "/v1/kv/default/n/increment", null).statusCode());
        }
      });
      CompletableFuture<Void> viaB = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 150; i++) {
          assertTrue(b.put("default", String.format("b%03d", i), "1").statusCode() < 300);
          assertTrue(b.put("default", String.format("b%03d", i), "2").statusCode() < 300);
          assertEquals(200, b.send("POST", "/v1/kv/default/n/increment", null).statusCode());
        }
      });
      viaA.get();
      viaB.get();
      for (KvClient kv : List.of(a, b)) {
        var r = kv.send("GET", "/v1/kv/default?limit=10000&keysOnly=false", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode keys = json(r).get("keys");
        assertEquals(301, keys.size(), r.body());
        for (JsonNode k : keys) {
          String key = k.get("key").asText();
          if (key.equals("n")) {
            assertEquals("300", new String(Base64.getDecoder().decode(k.get("value").asText()), StandardCharsets.UTF_8));
            assertEquals(300, k.get("revision").asLong());
          } else {
            assertEquals(key.startsWith("a") ? 1 : 2, k.get("revision").asLong(), k.toString());
          }
        }
      }
    } finally {
      for (Node n : nodes) n.close();
    }
  }
}
