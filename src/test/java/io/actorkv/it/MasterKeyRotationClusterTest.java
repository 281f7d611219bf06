package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.security.Tokens;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master key rotated on a running cluster on one PostgreSQL journal, as
 * docs/security.md ("Rotating the master key") says: three rounds of
 * restarts, one node at a time. While a node is down the others read every
 * value written so far and take new writes, strong and eventual; once it is
 * back it does the same. At the end every data key is wrapped by the new
 * master key, the nodes read everything with it alone, and a node given
 * the old one alone reads nothing and says which key it lacks. Two nodes:
 * each restart takes seconds, and more nodes only repeat the same steps.
 */
class MasterKeyRotationClusterTest {

  private static final int NODES = 2;
  private static final String STRONG = "ledger";
  private static final String EVENTUAL = "sessions";
  /** Majority writes and reads meet on one replica, so a read right after a write sees it. */
  private static final String EVENTUAL_DEFINITION = "{\"mode\": \"eventual\", \"write\": \"majority\", "
      + "\"read\": \"majority\"}";
  private static final Duration UP = Duration.ofSeconds(60);
  private static final Duration SERVING = Duration.ofSeconds(30);

  @TempDir
  Path root;

  private String url;
  private final List<Map<Setting, Object>> settings = new ArrayList<>();
  /** The running node of each place in the cluster; null while it is stopped. */
  private final Node[] nodes = new Node[NODES];
  /** Every value written: namespace and key to value. */
  private final Map<List<String>, String> written = new LinkedHashMap<>();

  @Test
  void theMasterKeyRotatesOneNodeAtATimeWhileTheClusterServesEveryValue() throws Exception {
    Path oldKey = newMasterKey("old");
    Path newKey = newMasterKey("new");
    url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    settings.addAll(TestNodes.cluster(url, IntStream.range(0, NODES).mapToObj(i -> root.resolve("node" + i))
        .toArray(Path[]::new)));
    try {
      for (int i = 0; i < NODES; i++) nodes[i] = TestNodes.start(withKeys(i, oldKey), ConfigFactory.empty());
      awaitAllUp();
      KvClient first = client(0);
      assertEquals(201, first.putNamespace(STRONG, "").statusCode());
      assertEquals(201, first.putNamespace(EVENTUAL, EVENTUAL_DEFINITION).statusCode());
      writeThroughEveryNode("before");
      servesEverything();
      Set<String> oldId = masterKeyIds();
      assertEquals(1, oldId.size(), "both namespaces' data keys are wrapped by the one master key: " + oldId);

      // Step 1: every node learns NEW; OLD still wraps.
      for (int i = 0; i < NODES; i++) restart(i, oldKey, newKey);
      assertEquals(oldId, masterKeyIds(), "nothing is wrapped again in step 1");

      // Step 2: the first node back rewraps; a namespace made meanwhile on a node with OLD current is wrapped by
      // OLD, and the next node back rewraps that one.
      restart(0, newKey, oldKey);
      Set<String> newId = masterKeyIds();
      assertEquals(1, newId.size());
      assertNotEquals(oldId, newId, "the first node back wrapped every data key again with NEW");
      assertEquals(201, client(1).putNamespace("latecomer", EVENTUAL_DEFINITION).statusCode());
      write(1, "latecomer", "made-in-step-2");
      assertEquals(union(oldId, newId), masterKeyIds(), "node 1 still wraps with OLD");
      for (int i = 1; i < NODES; i++) restart(i, newKey, oldKey);
      assertEquals(newId, masterKeyIds(), "every data key is wrapped by NEW");

      // Step 3: NEW alone; OLD can be destroyed.
      for (int i = 0; i < NODES; i++) restart(i, newKey);
      assertEquals(newId, masterKeyIds());

      // OLD alone no longer reads anything: a node given it says which master key it lacks, and changes nothing.
      replace(1, ConfigFactory.parseString("actorkv.request-timeout = 1s"), oldKey);
      String newKeyId = newId.iterator().next();
      KvClient withOld = client(1);
      written.forEach((nsKey, value) -> {
        HttpResponse<String> r = withOld.get(nsKey.get(0), nsKey.get(1));
        assertFalse(r.body().contains(value), r.body());
        assertWrappedByAnother(r, newKeyId); // strong: whether it hosts the key's entity or opens what another sent
      });
      assertWrappedByAnother(withOld.put(EVENTUAL, "refused", "x"), newKeyId);
      assertEquals(404, client(0).get(EVENTUAL, "refused").statusCode(), "nothing was written");
    } finally {
      for (Node node : nodes) {
        if (node != null) node.close();
      }
    }
  }

  /**
   * Stops node {@code i} gracefully, checks that the others serve without
   * it, starts it again on its data directory with {@code masterKeys} (the
   * current one first), and checks that every node serves.
   */
  private void restart(int i, Path... masterKeys) {
    String step = "node " + i + " restarting with " + Stream.of(masterKeys).map(p -> p.getFileName().toString())
        .toList();
    nodes[i].close();
    nodes[i] = null;
    writeThroughEveryNode("while " + step);
    servesEverything();
    replace(i, ConfigFactory.empty(), masterKeys);
    writeThroughEveryNode("after " + step);
    servesEverything();
  }

  /**
   * Starts node {@code i} (stopping it first if it runs) on its data
   * directory with {@code masterKeys}, and waits until every node sees all.
   */
  private void replace(int i, Config extra, Path... masterKeys) {
    if (nodes[i] != null) nodes[i].close();
    nodes[i] = null;
    Map<Setting, Object> s = withKeys(i, masterKeys);
    // Back through the running nodes: node 0, the first seed of its own, would otherwise form a new cluster.
    s.put(Setting.SEEDS, IntStream.range(0, NODES).filter(j -> j != i)
        .mapToObj(j -> TestNodes.remoteAddress(settings.get(j))).toList());
    nodes[i] = TestNodes.start(s, extra);
    awaitAllUp();
  }

  private static void assertWrappedByAnother(HttpResponse<String> r, String masterKeyId) {
    assertEquals(500, r.statusCode(), r.body());
    assertEquals("value_unreadable", json(r).get("error").asText(), r.body());
    assertTrue(json(r).get("message").asText().contains("wrapped by master key " + masterKeyId), r.body());
  }

  /** Node {@code i}'s settings with the master key file {@code masterKeys[0]} and the rest as previous ones. */
  private Map<Setting, Object> withKeys(int i, Path... masterKeys) {
    Map<Setting, Object> s = settings.get(i);
    s.put(Setting.MASTER_KEY_FILE, masterKeys[0].toString());
    List<String> previous = Stream.of(masterKeys).skip(1).map(Path::toString).toList();
    if (previous.isEmpty()) {
      s.remove(Setting.PREVIOUS_MASTER_KEY_FILE);
    } else {
      s.put(Setting.PREVIOUS_MASTER_KEY_FILE, previous);
    }
    return s;
  }

  /** A new value in each namespace through each running node, acknowledged. */
  private void writeThroughEveryNode(String when) {
    for (int i = 0; i < NODES; i++) {
      if (nodes[i] == null) continue;
      write(i, STRONG, when);
      write(i, EVENTUAL, when);
    }
  }

  private void write(int i, String ns, String when) {
    String key = "k" + written.size();
    String value = when + " through node " + i + " " + UUID.randomUUID();
    HttpResponse<String> r = client(i).put(ns, key, value);
    assertEquals(201, r.statusCode(), ns + "/" + key + " " + when + ": " + r.body());
    written.put(List.of(ns, key), value);
  }

  /** Every value ever written reads back through every running node. */
  private void servesEverything() {
    for (int i = 0; i < NODES; i++) {
      if (nodes[i] == null) continue;
      KvClient kv = client(i);
      int node = i;
      Await.assertEventually(SERVING, () -> written.forEach((nsKey, value) -> {
        HttpResponse<String> r = kv.get(nsKey.get(0), nsKey.get(1));
        assertEquals(200, r.statusCode(), "node " + node + " " + nsKey + ": " + r.body());
        assertEquals(value, r.body(), "node " + node + " " + nsKey);
      }));
    }
  }

  private void awaitAllUp() {
    Await.until(UP, () -> Stream.of(nodes).allMatch(n -> n != null && TestNodes.upMembers(n) == NODES));
  }

  private KvClient client(int i) {
    return new KvClient(nodes[i].httpPort());
  }

  private Path newMasterKey(String name) {
    Path file = root.resolve(name + ".key");
    Tokens.newSecret(file);
    return file;
  }

  /** The ids of the master keys that wrap the data keys in the shared journal. */
  private Set<String> masterKeyIds() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("SELECT master_key_id FROM actorkv_data_key")) {
      while (rs.next()) ids.add(rs.getString(1));
    }
    return ids;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
