package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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

  private static void assertNoContent(HttpResponse<String> r) {
    assertEquals(204, r.statusCode(), r.body());
    assertEquals("", r.body());
  }

  private static boolean seesUnreachable(Node observer, Node other) {
    var otherAddress = Cluster.get(other.system()).selfMember().address();
    return TestNodes.clusterState(observer).getUnreachable().stream().anyMatch(m -> m.address().equals(otherAddress));
  }

}
