package io.actorkv.it;

import static io.actorkv.it.TxnTest.inc;
import static io.actorkv.it.TxnTest.put;
import static io.actorkv.it.TxnTest.txn;
import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions over keys spread across three nodes sharing one PostgreSQL
 * journal: one transaction's writes are seen together from every node, and
 * concurrent transfers through two nodes, while the third dies hard, keep
 * the total in every transactional read of all balances and leave no key
 * held once the dead node is gone. Transactions sent with an idempotency
 * key before the loss answer the same when sent again after it, and are
 * not applied twice, though some of their records moved off the dead node.
 */
class TxnClusterTest {

  private static final List<String> ACCOUNTS = IntStream.range(0, 12).mapToObj(i -> "acct/" + i).toList();
  private static final long EACH = 100;
  /** Transactions sent with an idempotency key before a node dies, and again after. */
  private static final int IDEMPOTENT = 30;

  @Test
  void transactionsAreAtomicAcrossNodesAndSurviveTheHardLossOfOne(
      @TempDir Path d1, @TempDir Path d2, @TempDir Path d3) throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    List<Node> nodes = new ArrayList<>(TestNodes.startCluster(url,
        ConfigFactory.parseString("actorkv.request-timeout = 3s"), d1, d2, d3));
    try {
      List<KvClient> clients = nodes.stream().map(n -> new KvClient(n.httpPort())).toList();
      List<String> puts = IntStream.range(0, 40).mapToObj(i -> put("spread/" + i, "v1")).toList();
      assertEquals(200, setUp(clients.get(0), "spread", txn(List.of(), puts, List.of())).statusCode());
      for (KvClient kv : clients) {
        for (int i = 0; i < 40; i++) assertEquals("v1", kv.get("default", "spread/" + i).body());
      }
      // A key's part that would not fit one message between nodes is refused wherever the key lives (it was 504
      // where the key lived on another node): TxnTest#refusesATransactionWhosePartOnOneKeyDoesNotFitAMessage.
      String mb = "a".repeat(1_000_000);
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> big = send(clients.get(0), txn(List.of(), List.of(put("big/" + i, mb),
            put("big/" + i, mb), put("big/" + i, mb)), List.of()));
        assertEquals(400, big.statusCode(), "big/" + i);
        assertEquals(404, clients.get(1).get("default", "big/" + i).statusCode());
        assertEquals(201, clients.get(0).put("default", "big/" + i, mb).statusCode());
        HttpResponse<String> reads = send(clients.get(0), txn(List.of(), List.of(TxnTest.get("big/" + i),
            TxnTest.get("big/" + i)), List.of()));
        assertEquals(400, reads.statusCode(), "big/" + i);
      }

      assertEquals(200, setUp(clients.get(0), "accounts", txn(List.of(),
          ACCOUNTS.stream().map(a -> inc(a, EACH)).toList(), List.of())).statusCode());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger committed = new AtomicInteger();
      AtomicInteger reads = new AtomicInteger();
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        KvClient kv = clients.get(w % 2); // the first two nodes survive
        int seed = w;
        workers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; running.get(); i++) {
            String from = ACCOUNTS.get((seed * 5 + i * 7) % ACCOUNTS.size());
            String to = ACCOUNTS.get((seed * 3 + i * 11 + 1) % ACCOUNTS.size());
            if (!from.equals(to)) {
              HttpResponse<String> r = send(kv, txn(List.of(), List.of(inc(from, -1), inc(to, 1)), List.of()));
              if (r.statusCode() == 200) committed.incrementAndGet();
            }
            HttpResponse<String> all = send(kv, txn(List.of(), ACCOUNTS.stream().map(TxnTest::get).toList(),
                List.of()));
            if (all.statusCode() == 200) {
              assertEquals(EACH * ACCOUNTS.size(), sum(json(all)), all.body());
              reads.incrementAndGet();
            }
          }
        }));
      }
      // Transactions with idempotency keys, whose records are spread over the three nodes by sharding.
      List<String> firstAnswers = new ArrayList<>();
      for (int i = 0; i < IDEMPOTENT; i++) {
        HttpResponse<String> r = sendOnce(clients.get(i % 3), i);
        assertEquals(200, r.statusCode(), r.body());
        firstAnswers.add(r.body());
      }
      Await.until(Duration.ofSeconds(60), () -> committed.get() >= 20);
      TestNodes.crash(nodes.remove(2));
      Await.until(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> TestNodes.upMembers(n) == 2
          && TestNodes.clusterState(n).getUnreachable().isEmpty()));
      int before = committed.get();
      Await.until(Duration.ofSeconds(60), () -> committed.get() >= before + 20);
      running.set(false);
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
      assertTrue(reads.get() > 0, "some reads of all balances succeed");

      KvClient kv = clients.get(0);
      // Sent again once the node that held a third of their records is gone: answered as before, not applied twice.
      for (int i = 0; i < IDEMPOTENT; i++) {
        HttpResponse<String> again = sendOnce(clients.get(i % 2), i);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(firstAnswers.get(i), again.body(), "idempotency key once-" + i);
        assertEquals("1", kv.get("default", "once/" + i).body());
      }
      Await.assertEventually(Duration.ofSeconds(60), () -> {
        long total = 0;
        for (String a : ACCOUNTS) {
          HttpResponse<String> r = kv.get("default", a);
          assertEquals(200, r.statusCode(), a + ": " + r.body());
          total += Long.parseLong(r.body());
        }
        assertEquals(EACH * ACCOUNTS.size(), total);
      });
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /** An increment of {@code once/<i>} as a transaction with idempotency key {@code once-<i>}. */
  private static HttpResponse<String> sendOnce(KvClient kv, int i) {
    return kv.send("POST", "/v1/txn", txn(List.of(), List.of(inc("once/" + i, 1)), List.of()),
        "Content-Type", "application/json", "Idempotency-Key", "once-" + i);
  }

  /**
   * A transaction that sets the test up, sent again with its idempotency
   * key while it answers 504 (or 409 while the send before still runs):
   * its first keys start on a freshly formed cluster, which on a loaded
   * machine can take longer than the deadline.
   */
  private static HttpResponse<String> setUp(KvClient kv, String name, String body) {
    HttpResponse<String> r;
    int sends = 0;
    do {
      r = kv.send("POST", "/v1/txn", body, "Content-Type", "application/json", "Idempotency-Key", "setup-" + name);
    } while ((r.statusCode() == 504 || r.statusCode() == 409) && ++sends < 10);
    return r;
  }

  private static HttpResponse<String> send(KvClient kv, String body) {
    return kv.send("POST", "/v1/txn", body, "Content-Type", "application/json");
  }

  private static long sum(JsonNode txn) {
    long sum = 0;
    for (JsonNode r : txn.get("results")) sum += Long.parseLong(new String(Base64.getDecoder().decode(r.get("value").asText())));
    return sum;
  }
}
