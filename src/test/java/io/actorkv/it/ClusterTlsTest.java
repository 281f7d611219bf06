package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestCertificates.Authority;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over tls-tcp from cert-manager's directory layout: nodes whose
 * certificates the cluster's CA issued form a cluster and serve each other's
 * keys; a node whose certificate another CA issued (with the same names)
 * never becomes a member.
 */
class ClusterTlsTest {

  /** Pekko's engine admits a peer only if its certificate shares a subject name with the node's own. */
  static final String CLUSTER_NAME = "actorkv.cluster.local";

  /** Far longer than a node with the right certificate takes to join (about two seconds here). */
  static final Duration NEVER = Duration.ofSeconds(15);

  /**
   * Nothing here is meant to be downed. With the tests' 2 s before downing,
   * the two members once marked each other unreachable while the stranger
   * tried to join, in the same JVM on a loaded machine, and one was downed;
   * production's 20 s lets such a pause pass.
   */
  private static final Config PATIENT =
      ConfigFactory.parseString("pekko.cluster.split-brain-resolver.stable-after = 20s");

  @Test
  void onlyNodesWithACertificateFromTheClusterCaBecomeMembers(
      @TempDir Path d1, @TempDir Path d2, @TempDir Path d3, @TempDir Path tls) {
    Authority cluster = Authority.create("cluster CA");
    Authority other = Authority.create("other CA");
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    List<Map<Setting, Object>> settings = TestNodes.cluster(url, d1, d2, d3);
    Map<Setting, Object> s1 = settings.get(0);
    Map<Setting, Object> s2 = settings.get(1);
    Map<Setting, Object> s3 = settings.get(2);
    s1.put(Setting.CLUSTER_TLS_DIR, directory(cluster, "node-1", tls));
    s2.put(Setting.CLUSTER_TLS_DIR, directory(cluster, "node-2", tls));
    s3.put(Setting.CLUSTER_TLS_DIR, directory(other, "node-3", tls));
    List<Node> nodes = new ArrayList<>();
    try {
      Node first = TestNodes.start(s1, PATIENT);
      nodes.add(first);
      Node second = TestNodes.start(s2, PATIENT);
      nodes.add(second);
      Await.until(Duration.ofSeconds(60), () -> TestNodes.upMembers(first) == 2 && TestNodes.upMembers(second) == 2);
      assertEquals("tls-tcp", first.system().settings().config().getString("pekko.remote.artery.transport"));

      KvClient one = new KvClient(first.httpPort());
      KvClient two = new KvClient(second.httpPort());
      for (int i = 0; i < 20; i++) {
        assertEquals(201, one.put("default", "k" + i, "v" + i).statusCode());
        assertEquals("v" + i, two.get("default", "k" + i).body(), "keys travel between the nodes over TLS");
      }

      Node stranger = TestNodes.start(s3, PATIENT);
      nodes.add(stranger);
      boolean joined = Await.poll(NEVER,
          () -> members(first) > 2 || members(second) > 2 || TestNodes.upMembers(stranger) > 0);
      assertFalse(joined, "a node with a certificate from another CA became a member");
      assertEquals(2, TestNodes.upMembers(first));
    } finally {
      nodes.forEach(TestNodes::crash);
    }
  }

  /** A node's tls.crt, tls.key and ca.crt, issued by {@code ca}, in a directory of their own. */
  private static String directory(Authority ca, String node, Path tls) {
    Path dir = tls.resolve(node);
    ca.issue(node, CLUSTER_NAME).writeDirectory(dir);
    return dir.toString();
  }

  /** Members in any state, joining ones included, that this node knows of. */
  private static long members(Node node) {
    return StreamSupport.stream(TestNodes.clusterState(node).getMembers().spliterator(), false).count();
  }
}
