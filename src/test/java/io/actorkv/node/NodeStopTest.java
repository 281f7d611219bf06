package io.actorkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped node has let go of its data directory: whoever waits for
 * {@link Node#close()} may delete or reopen it. (The key index's and the
 * feed's connection pools once closed after the node reported it had
 * stopped, leaving the H2 file open for a moment.)
 */
class NodeStopTest {

  @RepeatedTest(3)
  void givenH2NodeThatWrote_whenClosed_thenJournalFileIsNoLongerLocked(@TempDir Path dataDir) throws Exception {
    Node node = TestNodes.single(dataDir);
    KvClient client = new KvClient(node.httpPort());
    assertEquals(201, client.send("PUT", "/v1/kv/default/k", "v").statusCode());
    assertEquals(200, client.send("GET", "/v1/kv/default?prefix=k", null).statusCode());
    assertEquals(200, client.send("GET", "/v1/audit/default", null).statusCode());

    node.close();

    try (FileChannel file = FileChannel.open(dataDir.resolve("journal/actorkv.mv.db"), StandardOpenOption.WRITE);
         FileLock lock = file.tryLock()) {
      assertNotNull(lock, "another process holds the journal");
    }
  }
}
