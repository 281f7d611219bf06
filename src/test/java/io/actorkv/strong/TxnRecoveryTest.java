package io.actorkv.strong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction whose driver stops at each point, played here by the test:
 * it takes keys through their entities as the driver would, then goes
 * silent, before or after storing the outcome, and the node may crash too.
 * Held keys answer 409 key_locked after a bounded wait, and each resolves
 * itself by asking the transaction's record: applied if the outcome was
 * stored, aborted if not, and free afterwards, also after a restart.
 */
class TxnRecoveryTest {

  private static final Duration RESOLVED = KeyEntity.RESOLVE_AFTER.multipliedBy(3);

  @TempDir
  Path dataDir;
  private Node node;
  private KvClient kv;

  @BeforeEach
  void start() {
    node = TestNodes.single(dataDir);
    kv = new KvClient(node.httpPort());
  }

  @AfterEach
  void stop() {
    node.close();
  }

  /** Takes {@code key} for {@code txnId}, whose success branch puts {@code value}, as a driver's prepare does. */
  private KeyReply prepare(String txnId, String key, String value) {
    TxnOp put = new TxnOp("put", value.getBytes(StandardCharsets.UTF_8), "text/plain", null, 0, "test");
    return ask(key, replyTo -> new KeyEntity.Prepare(txnId, List.of(put), List.of(), replyTo));
  }

  private KeyReply ask(String key, org.apache.pekko.japi.function.Function<
      org.apache.pekko.actor.typed.ActorRef<KeyReply>, KeyEntity.Command> command) {
    return ClusterSharding.get(node.system()).entityRefFor(KeyEntity.TYPE_KEY, KeyEntity.entityId("default", key))
        .ask(command, Duration.ofSeconds(5)).toCompletableFuture().join();
  }

  private String decide(String txnId, String outcome) {
    return TxnRecord.decide(node.system(), txnId, outcome, Duration.ofSeconds(5)).toCompletableFuture().join();
  }

  @Test
  void readsAndWritesOfAHeldKeyAnswerKeyLockedAfterABoundedWait() {
    String txn = UUID.randomUUID().toString();
    assertInstanceOf(KeyReply.Prepared.class, prepare(txn, "held", "after"));
    assertInstanceOf(KeyReply.Busy.class, prepare(UUID.randomUUID().toString(), "held", "other"));
    for (HttpResponse<String> r : List.of(kv.get("default", "held"), kv.put("default", "held", "x"),
        kv.delete("default", "held"))) {
      assertEquals(409, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"key_locked\""), r.body());
      assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
    }
    assertEquals("success", decide(txn, "success"));
    KeyReply finished = ask("held", replyTo -> new KeyEntity.Finish(txn, "success", replyTo));
    assertEquals("stored", ((KeyReply.Finished) finished).results().get(0).kind());
    assertEquals("after", kv.get("default", "held").body());
    assertEquals(200, kv.put("default", "held", "free again").statusCode());
  }

  @Test
  void keysApplyAStoredOutcomeWhenTheDriverStopsAfterDeciding() {
    String txn = UUID.randomUUID().toString();
    assertInstanceOf(KeyReply.Prepared.class, prepare(txn, "decided/a", "a1"));
    assertInstanceOf(KeyReply.Prepared.class, prepare(txn, "decided/b", "b1"));
    assertEquals("success", decide(txn, "success"));
    Await.until(RESOLVED, () -> kv.get("default", "decided/a").body().equals("a1")
        && kv.get("default", "decided/b").body().equals("b1"));
    assertEquals(200, kv.put("default", "decided/a", "free").statusCode());
  }

  @Test
  void keysAbortWhenTheDriverStopsBeforeDeciding() {
    kv.put("default", "undecided", "before");
    String txn = UUID.randomUUID().toString();
    assertInstanceOf(KeyReply.Prepared.class, prepare(txn, "undecided", "never"));
    Await.until(RESOLVED, () -> kv.get("default", "undecided").statusCode() == 200);
    assertEquals("before", kv.get("default", "undecided").body());
    assertEquals("abort", decide(txn, "success"), "a late driver cannot commit what its keys aborted");
    assertEquals(1, KvClient.revision(kv.get("default", "undecided")));
  }

  /**
   * A key frees its lock only once the outcome it applied is stored: freed
   * first, a crash between the two would leave the key free and without its
   * part of a committed transaction. The journal's global ordering shows
   * which write came first.
   */
  @Test
  void aKeyIsFreedOnlyAfterTheOutcomeItAppliedIsStored() throws Exception {
    int keys = 20;
    for (int i = 0; i < keys; i++) {
      String txn = UUID.randomUUID().toString();
      assertInstanceOf(KeyReply.Prepared.class, prepare(txn, "order/" + i, "v"));
      assertEquals("success", decide(txn, "success"));
      assertInstanceOf(KeyReply.Finished.class, ask("order/" + i, replyTo -> new KeyEntity.Finish(txn, "success",
          replyTo)));
    }
    Map<String, Long> ordering = journalAfterStop("order/");
    node = TestNodes.single(dataDir);
    for (int i = 0; i < keys; i++) {
      String entityId = KeyEntity.entityId("default", "order/" + i);
      long applied = ordering.get(KeyEntity.persistenceId(entityId) + "@1");
      long released = ordering.get(KeyLock.persistenceId(entityId) + "@2");
      assertTrue(applied < released, "key " + i + ": applied at " + applied + ", freed at " + released);
    }
  }

  /** A transaction that only reads takes none of its keys: no lock of them reaches the journal. */
  @Test
  void aTransactionThatOnlyReadsTakesNoKey() throws Exception {
    assertEquals(201, kv.put("default", "peek/a", "1").statusCode());
    assertEquals(201, kv.put("default", "peek/b", "2").statusCode());
    HttpResponse<String> read = kv.send("POST", "/v1/txn", "{\"compare\":[{\"namespace\":\"default\","
        + "\"key\":\"peek/a\",\"target\":\"revision\",\"op\":\"=\",\"revision\":1}],\"success\":["
        + "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"peek/a\"},"
        + "{\"op\":\"get\",\"namespace\":\"default\",\"key\":\"peek/b\"}],\"failure\":[]}",
        "Content-Type", "application/json");
    assertEquals(200, read.statusCode(), read.body());
    assertTrue(read.body().contains("\"succeeded\":true"), read.body());
    HttpResponse<String> write = kv.send("POST", "/v1/txn", "{\"compare\":[],\"success\":[{\"op\":\"put\","
        + "\"namespace\":\"default\",\"key\":\"peek/c\",\"value\":\"Mw==\"}],\"failure\":[]}",
        "Content-Type", "application/json");
    assertEquals(200, write.statusCode(), write.body());
    Map<String, Long> journal = journalAfterStop("peek/");
    node = TestNodes.single(dataDir);
    assertTrue(journal.containsKey(KeyLock.persistenceId(KeyEntity.entityId("default", "peek/c")) + "@1"),
        "a writing transaction takes its key: " + journal.keySet());
    for (String key : List.of("peek/a", "peek/b")) {
      String lock = KeyLock.persistenceId(KeyEntity.entityId("default", key));
      assertTrue(journal.keySet().stream().noneMatch(row -> row.startsWith(lock + "@")), key + " was taken");
    }
  }

  /** Stops the node and reads the journal's rows of keys of "default" under {@code prefix}: ordering by id@seq. */
  private Map<String, Long> journalAfterStop(String prefix) throws Exception {
    node.close();
    Map<String, Long> ordering = new HashMap<>();
    try (Connection c = DriverManager.getConnection(
        "jdbc:h2:file:" + dataDir.resolve("journal").resolve("actorkv"), "sa", "");
         ResultSet rs = c.createStatement().executeQuery("SELECT \"persistence_id\", \"sequence_number\", "
             + "\"ordering\" FROM \"event_journal\" WHERE \"persistence_id\" LIKE '%|default|" + prefix + "%'")) {
      while (rs.next()) ordering.put(rs.getString(1) + "@" + rs.getLong(2), rs.getLong(3));
    }
    return ordering;
  }

  @Test
  void heldKeysResolveAfterTheirNodeCrashes() {
    String decided = UUID.randomUUID().toString();
    String undecided = UUID.randomUUID().toString();
    assertInstanceOf(KeyReply.Prepared.class, prepare(decided, "crash/decided", "applied"));
    assertInstanceOf(KeyReply.Prepared.class, prepare(undecided, "crash/undecided", "never"));
    assertEquals("success", decide(decided, "success"));
    TestNodes.crash(node);
    node = TestNodes.single(dataDir);
    kv = new KvClient(node.httpPort());
    Await.until(RESOLVED, () -> kv.get("default", "crash/decided").body().equals("applied")
        && kv.get("default", "crash/undecided").statusCode() == 404);
    assertEquals(201, kv.put("default", "crash/undecided", "free").statusCode());
  }
}
