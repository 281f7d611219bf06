package io.actorkv.strong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TcpProxy;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key whose write of a transaction's outcome fails (the database went
 * away in the middle of it) starts again from its journal and still holds
 * the transaction's lock, so it applies the outcome once the database is
 * back: it must not forget the lock it gave up in memory.
 */
class TxnJournalFailureTest {

  @Test
  void aKeyWhoseOutcomeWriteFailedStillAppliesTheOutcome(@TempDir Path dataDir) throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestPostgres.port())) {
      Node node = TestNodes.behind(proxy, dataDir, ConfigFactory.parseString("actorkv-journal.circuit-breaker.call-timeout = 1s"));
      try {
        KvClient kv = new KvClient(node.httpPort());
        assertEquals(201, kv.put("default", "k", "before").statusCode());
        String txn = UUID.randomUUID().toString();
        TxnOp put = new TxnOp("put", "after".getBytes(StandardCharsets.UTF_8), "text/plain", null, 0, "test");
        assertInstanceOf(KeyReply.Prepared.class,
            ask(node, replyTo -> new KeyEntity.Prepare(txn, List.of(put), List.of(), replyTo), 5).join());
        assertEquals("success", TxnRecord.decide(node.system(), txn, "success", Duration.ofSeconds(5))
            .toCompletableFuture().join());

        proxy.freeze();
        // Unanswered: its write waits on the frozen database, and the journal gives up on it after 1 s.
        assertThrows(Exception.class,
            () -> ask(node, replyTo -> new KeyEntity.Finish(txn, "success", replyTo), 3).join());
        proxy.cut(); // the write's bytes never reach the database

        Await.until(Duration.ofSeconds(60), () -> kv.get("default", "k").body().equals("after"));
        assertEquals(2, KvClient.revision(kv.get("default", "k")));
        assertEquals(200, kv.put("default", "k", "free again").statusCode());
      } finally {
        node.close();
      }
    }
  }

  private static java.util.concurrent.CompletableFuture<KeyReply> ask(
      Node node, Function<ActorRef<KeyReply>, KeyEntity.Command> command, int seconds) {
    return ClusterSharding.get(node.system()).entityRefFor(KeyEntity.TYPE_KEY, KeyEntity.entityId("default", "k"))
        .ask(command, Duration.ofSeconds(seconds)).toCompletableFuture();
  }
}
