package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in test mode, partitioned and healed through
 * {@code /test/v1/blackhole} as a fault-injection harness would do it: each
 * side blackholes the other, both see the other unreachable, and after the
 * heal on both sides both are reachable again, still members.
 */
class BlackholePartitionTest {

  /** The split-brain resolver must not down anyone while the partition lasts. */
  static final Config PATIENT_RESOLVER = ConfigFactory.parseString(
      "pekko.cluster.split-brain-resolver.stable-after = 60s");

  @Test
  void givenTwoNodes_whenBlackholedOnBothSides_thenUnreachableUntilHealedOnBothSides(
      @TempDir Path d1, @TempDir Path d2) {
    List<Map<Setting, Object>> settings = TestNodes.cluster(null, d1, d2);
    Map<Setting, Object> s1 = settings.get(0);
    Map<Setting, Object> s2 = settings.get(1);
    s1.put(Setting.TEST_MODE, true);
    s2.put(Setting.TEST_MODE, true);
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(TestNodes.start(s1, PATIENT_RESOLVER));
      nodes.add(TestNodes.start(s2, PATIENT_RESOLVER));
      Node first = nodes.get(0);
      Node second = nodes.get(1);
      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 2));

      assertNoContent(TestNodes.blackhole(first, "POST", s2));
      assertNoContent(TestNodes.blackhole(second, "POST", s1));

      Await.until(Duration.ofSeconds(30), () -> seesUnreachable(first, second) && seesUnreachable(second, first));

      assertNoContent(TestNodes.blackhole(first, "DELETE", s2));
      assertNoContent(TestNodes.blackhole(second, "DELETE", s1));

      Await.until(Duration.ofSeconds(30), () -> nodes.stream().allMatch(n -> TestNodes.clusterState(n).getUnreachable().isEmpty()));
      nodes.forEach(n -> assertEquals(2, TestNodes.upMembers(n), "both still members after the heal"));
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /**
   * A revocation made while a node could not be reached takes effect there
   * after the heal. The rules are published once per change: the node that
   * missed the message kept the old ones, and the revoked subject's token
   * went on working there until the next change.
   */
  @Test
  void aRevocationMadeDuringAPartitionReachesTheNodeThatMissedIt(@TempDir Path d1, @TempDir Path d2,
                                                                 @TempDir Path keys) {
    TestTokens tokens = new TestTokens(keys);
    Config auth = PATIENT_RESOLVER.withFallback(ConfigFactory.parseString(
        "actorkv.auth.secret-file = \"" + tokens.secretFile + "\"\nactorkv.auth.clock-skew = 1s"));
    List<Map<Setting, Object>> settings = TestNodes.cluster(null, d1, d2);
    settings.forEach(s -> s.put(Setting.TEST_MODE, true));
    String[] root = {"Authorization", "Bearer " + tokens.hs256("admin", "root")};
    String[] erin = {"Authorization", "Bearer " + tokens.hs256(TestTokens.claims("erin", "root")
        .issueTime(java.util.Date.from(Instant.now().minusSeconds(60))))};
    List<Node> nodes = new ArrayList<>();
    try {
      for (Map<Setting, Object> s : settings) nodes.add(TestNodes.start(s, auth));
      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 2));
      List<KvClient> clients = nodes.stream().map(n -> new KvClient(n.httpPort())).toList();
      for (KvClient kv : clients) {
        Await.assertEventually(Duration.ofSeconds(30), () -> assertEquals(201 / 100,
            kv.put("default", "k", "v", erin).statusCode() / 100));
      }

      for (int i = 0; i < 2; i++) {
        assertNoContent(clients.get(i).send("POST", "/test/v1/blackhole?peer="
            + TestNodes.remoteAddress(settings.get(1 - i)), null, root));
      }
      // Only the node that holds the registry can revoke while the other cannot reach it.
      String revocation = "{\"before\": \"" + Instant.now().minusSeconds(5) + "\"}";
      int revokedOn = clients.get(0).send("PUT", "/v1/auth/revocations/erin", revocation, root).statusCode() == 201
          ? 0 : 1;
      if (revokedOn == 1) {
        assertEquals(201, clients.get(1).send("PUT", "/v1/auth/revocations/erin", revocation, root).statusCode());
      }
      for (int i = 0; i < 2; i++) {
        assertNoContent(clients.get(i).send("DELETE", "/test/v1/blackhole?peer="
            + TestNodes.remoteAddress(settings.get(1 - i)), null, root));
      }
      KvClient missed = clients.get(1 - revokedOn);
      Await.assertEventually(Duration.ofSeconds(30),
          () -> assertEquals(401, missed.put("default", "k", "after", erin).statusCode()));
    } finally {
      nodes.forEach(Node::close);
    }
  }

  private static void assertNoContent(HttpResponse<String> r) {
    assertEquals(204, r.statusCode(), r.body());
    assertEquals("", r.body());
  }

  private static boolean seesUnreachable(Node observer, Node other) {
    var otherAddress = Cluster.get(other.system()).selfMember().address();
    return TestNodes.clusterState(observer).getUnreachable().stream().anyMatch(m -> m.address().equals(otherAddress));
  }

}
