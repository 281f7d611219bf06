package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import io.actorkv.testing.Watcher;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed under load on a three-node cluster sharing one PostgreSQL
 * journal: writers on every node at once, readers that hang up at random
 * and resume with Last-Event-ID on a random node, and one node restarted in
 * the middle. Each reader must end up with exactly the journal's events for
 * its filter: none missing, none twice, in journal order.
 */
class FeedUnderLoadTest {

  private static final int WRITERS = 4;
  private static final int WRITES_EACH = 150;
  private static final Duration LONG = Duration.ofSeconds(60);

  /** One delivered or journaled change. */
  private record Seen(long offset, String key, long revision) {}

  @Test
  void everyReaderGetsExactlyTheJournalsEventsInOrder(@TempDir Path d1, @TempDir Path d2, @TempDir Path d3)
      throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var config = ConfigFactory.parseString("actorkv.request-timeout = 3s\nactorkv.feed.gap-timeout = 5s");
    List<Map<Setting, Object>> settings = TestNodes.cluster(url, d1, d2, d3);
    AtomicReferenceArray<Node> nodes = new AtomicReferenceArray<>(3);
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      for (int i = 0; i < 3; i++) nodes.set(i, TestNodes.start(settings.get(i), config));
      Await.until(LONG, () -> TestNodes.upMembers(nodes.get(0)) == 3);
      int[] ports = {nodes.get(0).httpPort(), nodes.get(1).httpPort(), nodes.get(2).httpPort()};
      assertEquals(201, new KvClient(ports[0]).putNamespace("feed", "").statusCode());

      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger written = new AtomicInteger();
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> write(writer, ports, written)));
      }
      List<Optional<String>> filters = List.of(Optional.empty(), Optional.empty(), Optional.of("w1-"));
      List<List<Seen>> received = new ArrayList<>();
      List<AtomicLong> readUpTo = new ArrayList<>(); // each reader's last offset, set once the writers are done
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < filters.size(); r++) {
        List<Seen> got = new CopyOnWriteArrayList<>();
        received.add(got);
        AtomicLong upTo = new AtomicLong(Long.MAX_VALUE);
        readUpTo.add(upTo);
        Optional<String> prefix = filters.get(r);
        long seed = r;
        readers.add(pool.submit(() -> read(prefix, ports, got, upTo, new Random(seed))));
      }

      // Restart the third node while the writers and readers go on.
      Await.until(LONG, () -> written.get() >= WRITERS * WRITES_EACH / 3);
      nodes.get(2).close();
      nodes.set(2, TestNodes.start(settings.get(2), config));
      Await.until(LONG, () -> TestNodes.upMembers(nodes.get(0)) == 3);
      for (Future<?> f : writers) f.get();
      writing.set(false);

      JournalDatabase db = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings.get(0), ConfigFactory.empty())));
      List<Seen> journal = journal(db);
      assertTrue(journal.size() >= WRITERS * WRITES_EACH * 9 / 10, "most writes went through: " + journal.size());
      List<List<Seen>> expected = new ArrayList<>();
      for (int r = 0; r < filters.size(); r++) {
        Optional<String> prefix = filters.get(r);
        expected.add(journal.stream().filter(s -> prefix.map(s.key()::startsWith).orElse(true)).toList());
        readUpTo.get(r).set(expected.get(r).get(expected.get(r).size() - 1).offset());
      }
      for (Future<?> f : readers) f.get(2, TimeUnit.MINUTES);
      for (int r = 0; r < filters.size(); r++) {
        assertEquals(expected.get(r), received.get(r), "reader " + r + " (" + filters.get(r) + ")");
      }
    } finally {
      pool.shutdownNow();
      for (int i = 0; i < 3; i++) if (nodes.get(i) != null) nodes.get(i).close();
    }
  }

  /** Puts, deletes and increments through every node in turn; a node that is away is skipped. */
  private static void write(int writer, int[] ports, AtomicInteger written) {
    Random random = new Random(100 + writer);
    for (int i = 0; i < WRITES_EACH; i++) {
      String key = "w" + writer + "-" + random.nextInt(8);
      for (int attempt = 0; attempt < ports.length * 20; attempt++) {
        KvClient kv = new KvClient(ports[(i + attempt) % ports.length]);
        try {
          HttpResponse<String> r = switch (random.nextInt(6)) {
            case 0 -> kv.delete("feed", key);
            case 1 -> kv.send("POST", "/v1/kv/feed/c" + writer + "/increment", null);
            default -> kv.put("feed", key, "v" + i);
          };
          if (r.statusCode() < 500) break;
        } catch (RuntimeException refused) {
          // The node is restarting: try the next.
        }
      }
      written.incrementAndGet();
    }
  }

  /**
   * Follows the feed from the start, hanging up after a random number of
   * changes and resuming on a random node after the last one it got, until
   * it has everything up to {@code readUpTo}.
   */
  private static void read(Optional<String> prefix, int[] ports, List<Seen> got, AtomicLong readUpTo,
                           Random random) {
    long last = 0;
    while (last < readUpTo.get()) {
      int port = ports[random.nextInt(ports.length)];
      String path = "/v1/watch/feed" + prefix.map(p -> "?prefix=" + p).orElse("");
      Watcher w;
      try {
        w = Watcher.open(port, path, "Last-Event-ID", Long.toString(last));
      } catch (RuntimeException away) {
        continue; // that node is restarting
      }
      try (w) {
        if (w.status() != 200) continue;
        int hangUpAfter = 5 + random.nextInt(60);
        for (int n = 0; n < hangUpAfter && last < readUpTo.get(); ) {
          Watcher.Event e = w.poll(Duration.ofMillis(200));
          if (e == null) {
            if (w.ended()) break;
            continue;
          }
          got.add(new Seen(e.id(), e.key(), e.revision()));
          last = e.id();
          n++;
        }
      }
    }
  }

  private static List<Seen> journal(JournalDatabase db) throws Exception {
    List<Seen> rows = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement select = c.prepareStatement(
        "SELECT ordering, persistence_id, sequence_number FROM event_journal "
            + "WHERE persistence_id LIKE 'kv|feed|%' AND NOT deleted ORDER BY ordering");
         ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        rows.add(new Seen(rs.getLong(1), rs.getString(2).substring("kv|feed|".length()), rs.getLong(3)));
      }
    }
    return Collections.unmodifiableList(rows);
  }
}
