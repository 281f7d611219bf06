package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.strong.KeyEntity;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in one JVM sharing one PostgreSQL journal: keys spread over the
 * nodes, any node serves any key, and when a node dies hard its keys recover
 * from the journal on the survivors with every acknowledged write intact.
 */
class ThreeNodeClusterTest {

  static final int KEYS = 60;

  @Test
  void keysSpreadAreReadableEverywhereAndSurviveTheHardLossOfANode(
      @TempDir Path d1, @TempDir Path d2, @TempDir Path d3) throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var fast = ConfigFactory.parseString("actorkv.request-timeout = 2s");
    List<Node> nodes = new ArrayList<>(TestNodes.startCluster(url, fast, d1, d2, d3));
    try {

      KvClient first = new KvClient(nodes.get(0).httpPort());
      Map<String, Long> acknowledged = new LinkedHashMap<>();
      for (int i = 0; i < KEYS; i++) {
        String key = "spread-" + i;
        var put = first.put("default", key, "v" + i);
        assertEquals(201, put.statusCode(), put.body());
        acknowledged.put(key, KvClient.revision(put));
      }

      Map<Integer, Set<String>> hosted = new LinkedHashMap<>();
      for (int n = 0; n < nodes.size(); n++) hosted.put(n, hostedKeys(nodes.get(n)));
      long hosting = hosted.values().stream().filter(keys -> !keys.isEmpty()).count();
      assertTrue(hosting >= 2, "keys should land on at least two nodes: " + hosted);

      for (Node node : nodes) {
        KvClient kv = new KvClient(node.httpPort());
        for (var e : acknowledged.entrySet()) {
          var read = kv.get("default", e.getKey());
          assertEquals(200, read.statusCode(), read.body());
          assertEquals(e.getValue(), KvClient.revision(read));
        }
      }

      // Kill a node other than the first (the test talks to the first) that hosts keys.
      int victim = hosted.get(1).isEmpty() ? 2 : 1;
      assertTrue(!hosted.get(victim).isEmpty());
      TestNodes.crash(nodes.remove(victim));

      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 2
          && StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false).count() == 2));
      for (Node node : nodes) {
        KvClient kv = new KvClient(node.httpPort());
        Await.assertEventually(Duration.ofSeconds(60), () -> {
          for (var e : acknowledged.entrySet()) {
            var read = kv.get("default", e.getKey());
            assertEquals(200, read.statusCode(), e.getKey() + ": " + read.body());
            assertEquals("v" + e.getKey().substring("spread-".length()), read.body());
            assertEquals(e.getValue(), KvClient.revision(read));
          }
        });
      }
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /**
   * A node answers reads of the keys whose entities it runs from the state
   * they published. When sharding moves such a key to a node that joins, the
   * node it left must read it from its new entity, which took the writes since.
   */
  @Test
  void aKeyMovedToAJoiningNodeIsReadAtItsLatestRevisionOnTheNodeItLeft(@TempDir Path d1, @TempDir Path d2)
      throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    List<Map<Setting, Object>> settings = TestNodes.cluster(url, d1, d2);
    Map<Setting, Object> s1 = settings.get(0);
    Map<Setting, Object> s2 = settings.get(1);
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(TestNodes.start(s1, ConfigFactory.empty()));
      Node first = nodes.get(0);
      KvClient kv = new KvClient(first.httpPort());
      for (int i = 0; i < KEYS; i++) {
        assertEquals(201, kv.put("default", "moving-" + i, "before").statusCode());
        assertEquals(1, KvClient.revision(kv.get("default", "moving-" + i)));
      }
      assertEquals(KEYS, hostedKeys(first).size());

      nodes.add(TestNodes.start(s2, ConfigFactory.empty()));
      Await.until(Duration.ofSeconds(60), () -> hostedKeys(first).size() < KEYS);
      // The first node may move keys as soon as it sees the second Up, before the second sees itself Up
      // and serves (503 not_ready until then).
      Await.until(Duration.ofSeconds(60), () -> TestNodes.upMembers(nodes.get(1)) == 2);

      Set<String> stayed = hostedKeys(first);
      List<String> moved = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        String id = KeyEntity.entityId("default", "moving-" + i);
        if (!stayed.contains(id)) moved.add("moving-" + i);
      }
      KvClient second = new KvClient(nodes.get(1).httpPort());
      for (String key : moved) {
        var put = second.put("default", key, "after");
        assertEquals(200, put.statusCode(), key + ": " + put.body());
        assertEquals(2, KvClient.revision(put));
        var read = kv.get("default", key);
        assertEquals("after", read.body(), key + " read on the node it left");
        assertEquals(2, KvClient.revision(read));
      }
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /** The keys whose entities this node runs right now. */
  static Set<String> hostedKeys(Node node) {
    var system = node.system();
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(KeyEntity.TYPE_KEY, replyTo),
        Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().join();
    Set<String> keys = new HashSet<>();
    state.getShards().forEach(shard -> keys.addAll(shard.getEntityIds()));
    return keys;
  }
}
