package io.actorkv.it;

import static io.actorkv.testing.KvClient.context;
import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.cluster.ClusterFormation;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.LocalReplica;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eventual namespaces on three nodes in one JVM (test mode, so a partition can
 * be cut with Artery's blackhole), sharing an embedded PostgreSQL journal for
 * the namespace registry. The tests run in order: the partition heals before
 * the restart, which comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventualClusterTest {

  /** Nobody is downed while a partition lasts; this test heals it itself. */
  static final Config PATIENT = ConfigFactory.parseString("""
      pekko.cluster.split-brain-resolver.stable-after = 120s
      actorkv.eventual.level-timeout = 1s
      """);

  Path d3;

  final List<Map<Setting, Object>> settings = new ArrayList<>();
  final List<Node> nodes = new ArrayList<>();
  final List<KvClient> kv = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path root) {
    Path d1 = root.resolve("node1");
    Path d2 = root.resolve("node2");
    d3 = root.resolve("node3");
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    settings.addAll(TestNodes.cluster(url, d1, d2, d3));
    for (var s : settings) {
      s.put(Setting.TEST_MODE, true);
      nodes.add(TestNodes.start(s, PATIENT));
    }
    Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 3));
    nodes.forEach(n -> kv.add(new KvClient(n.httpPort())));
    define("lww", "{\"mode\":\"eventual\"}");
    define("sib", "{\"mode\":\"eventual\",\"conflicts\":\"siblings\"}");
  }

  @AfterAll
  void stop() {
    nodes.forEach(Node::close);
  }

  @Test
  @Order(1)
  void aMajorityWriteOnOneNodeIsSeenByAMajorityReadOnAnother() {
    for (int i = 0; i < 20; i++) {
      var write = send(0, "PUT", "/v1/kv/lww/majority-" + i + "?w=majority", "v" + i);
      assertEquals(201, write.statusCode(), write.body());
      var read = send(2, "GET", "/v1/kv/lww/majority-" + i + "?r=majority", null);
      assertEquals(200, read.statusCode(), read.body());
      assertEquals("v" + i, read.body(), "majority write + majority read always meet on one replica");
    }
  }

  @Test
  @Order(2)
  void aLocalWriteBecomesVisibleOnEveryNode() {
    long start = System.nanoTime();
    assertEquals(201, send(0, "PUT", "/v1/kv/lww/spread?w=local", "everywhere").statusCode());
    Await.assertEventually(Duration.ofSeconds(15), () -> {
      for (int n = 1; n < 3; n++) assertEquals("everywhere", send(n, "GET", "/v1/kv/lww/spread?r=local", null).body());
    });
    System.out.printf("a local write was visible on all three nodes after %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  @Order(3)
  void bothSidesOfAPartitionTakeLocalWritesAndEverythingConvergesAfterTheHeal() {
    assertEquals(201, send(0, "PUT", "/v1/kv/lww/p?w=all", "base").statusCode());
    var base = send(0, "PUT", "/v1/kv/sib/p?w=all", "base");
    assertEquals(201, base.statusCode(), base.body());
    String baseContext = context(base);
    assertEquals(100, json(send(0, "POST", "/v1/kv/lww/hits/increment?by=100&w=all", null)).get("value").asLong());

    partition(true);
    try {
      assertEquals(200, send(0, "PUT", "/v1/kv/lww/p?w=local", "minority").statusCode());
      assertEquals(200, send(1, "PUT", "/v1/kv/lww/p?w=local", "majority-side").statusCode());
      assertEquals(200, send(0, "PUT", "/v1/kv/sib/p?w=local", "left", "X-KV-Context", baseContext).statusCode());
      assertEquals(200, send(2, "PUT", "/v1/kv/sib/p?w=local", "right", "X-KV-Context", baseContext).statusCode());
      for (int i = 0; i < 5; i++) send(0, "POST", "/v1/kv/lww/hits/increment?w=local", null);
      for (int i = 0; i < 3; i++) send(1, "POST", "/v1/kv/lww/hits/increment?by=10&w=local", null);

      var refused = send(0, "PUT", "/v1/kv/lww/q?w=majority", "cut-off");
      assertEquals(503, refused.statusCode(), refused.body());
      JsonNode body = json(refused);
      assertEquals("level_not_reached", body.get("error").asText());
      assertEquals(2, body.get("required").asInt());
      assertEquals(1, body.get("acknowledged").asInt());
      assertTrue(body.get("storedLocally").asBoolean());
      assertEquals("cut-off", send(0, "GET", "/v1/kv/lww/q?r=local", null).body(), "stored on the minority side");
      assertEquals(201, send(1, "PUT", "/v1/kv/lww/r?w=majority", "two of three").statusCode(),
          "the majority side still reaches a majority");
    } finally {
      partition(false);
    }

    Await.assertEventually(Duration.ofSeconds(30), () -> {
      for (int n = 0; n < 3; n++) {
        assertEquals("majority-side", send(n, "GET", "/v1/kv/lww/p?r=local", null).body(), "the later write wins");
        assertEquals("135", send(n, "GET", "/v1/kv/lww/hits?r=local", null).body(), "every increment counts once");
        assertEquals("cut-off", send(n, "GET", "/v1/kv/lww/q?r=local", null).body());
        var siblings = send(n, "GET", "/v1/kv/sib/p?r=local", null);
        assertEquals(300, siblings.statusCode(), siblings.body());
        assertEquals(Set.of("left", "right"), siblingValues(siblings));
      }
    });

    var conflict = send(1, "GET", "/v1/kv/sib/p?r=local", null);
    var resolved = send(1, "PUT", "/v1/kv/sib/p?w=majority", "left+right", "X-KV-Context", context(conflict));
    assertEquals(200, resolved.statusCode(), resolved.body());
    Await.assertEventually(Duration.ofSeconds(30), () -> {
      for (int n = 0; n < 3; n++) {
        var read = send(n, "GET", "/v1/kv/sib/p?r=local", null);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("left+right", read.body());
      }
    });
  }

  @Test
  @Order(4)
  void aRestartedNodeHasItsEventualDataBeforeItRejoins() throws Exception {
    assertEquals(201, send(0, "PUT", "/v1/kv/lww/durable?w=all", "kept").statusCode());
    nodes.get(2).close();

    // The replicas on disk, read by an actor system that never joins a cluster.
    Config config = NodeConfig.of(settings.get(2), ConfigFactory.parseMap(Map.of(
            "pekko.cluster.distributed-data.durable.lmdb.dir", d3.resolve("eventual").toString()))
        .withFallback(TestNodes.FAST_CLUSTER));
    ActorSystem<Void> offline = ActorSystem.create(Behaviors.empty(), ClusterFormation.SYSTEM_NAME, config);
    try {
      boolean onDisk = LocalReplica.holds(offline, "lww", 128, "durable");
      assertFalse(Cluster.get(offline).state().getMembers().iterator().hasNext(), "never joined a cluster");
      assertTrue(onDisk, "read from disk");
    } finally {
      offline.terminate();
      offline.getWhenTerminated().toCompletableFuture().get();
    }

    Node restarted = TestNodes.start(settings.get(2), PATIENT);
    nodes.set(2, restarted);
    kv.set(2, new KvClient(restarted.httpPort()));
    Await.until(Duration.ofSeconds(60), () -> TestNodes.upMembers(restarted) == 3);
    assertEquals("kept", send(2, "GET", "/v1/kv/lww/durable?r=local", null).body());
  }

  private void define(String name, String definition) {
    var r = kv.get(0).putNamespace(name, definition);
    assertEquals(201, r.statusCode(), r.body());
  }

  /** Cuts node 1 off from nodes 2 and 3 in both directions, or heals that, and waits until it shows. */
  private void partition(boolean cut) {
    String method = cut ? "POST" : "DELETE";
    for (int other = 1; other < 3; other++) {
      assertEquals(204, TestNodes.blackhole(nodes.get(0), method, settings.get(other)).statusCode());
      assertEquals(204, TestNodes.blackhole(nodes.get(other), method, settings.get(0)).statusCode());
    }
    Await.until(Duration.ofSeconds(30), () -> cut
        ? TestNodes.clusterState(nodes.get(0)).getUnreachable().size() == 2
            && TestNodes.clusterState(nodes.get(1)).getUnreachable().size() == 1
        : nodes.stream().allMatch(n -> TestNodes.clusterState(n).getUnreachable().isEmpty()));
  }

  private HttpResponse<String> send(int node, String method, String path, String value, String... headers) {
    return kv.get(node).send(method, path, value, headers);
  }

  private static Set<String> siblingValues(HttpResponse<String> r) {
    Set<String> values = new TreeSet<>();
    json(r).get("siblings").forEach(s -> values.add(new String(Base64.getDecoder().decode(s.get("value").asText()))));
    return values;
  }
}
