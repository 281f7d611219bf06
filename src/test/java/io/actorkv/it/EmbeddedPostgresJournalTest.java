package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.cli.Main;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.journal.JournalStartFailed;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The default journal of a single node, a PostgreSQL server in its data
 * directory: every acknowledged write is on stable storage before its
 * answer; a server whose postmaster died leaves nothing that blocks the next
 * start, and one that dies while its node runs is started again; a data
 * directory written by the H2 journal keeps H2, and moves to PostgreSQL by
 * backup and restore.
 */
class EmbeddedPostgresJournalTest {

  /** A single node on the default journal (TestNodes' nodes are on H2 unless told otherwise). */
  private static Node defaultNode(Path dataDir) {
    return defaultNode(dataDir, ConfigFactory.empty());
  }

  private static Node defaultNode(Path dataDir, Config extra) {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    settings.remove(Setting.JOURNAL);
    return TestNodes.start(settings, extra);
  }

  @Test
  void everyAcknowledgedPutIsFlushedToDiskBeforeItsAnswer(@TempDir Path dataDir) throws Exception {
    // The key index writes to the same database after each PUT; its transactions, in flight when the WAL
    // is read, would look like unflushed commits. Once caught up at start, it looks again only in an hour.
    Node node = defaultNode(dataDir, ConfigFactory.parseString("actorkv.listing.index-poll-interval = 1h"));
    try (Connection journal = connect(dataDir)) {
      assertEquals("on", show(journal, "fsync"));
      assertEquals("on", show(journal, "synchronous_commit"));
      assertEquals("on", show(journal, "full_page_writes"));
      assertEquals("127.0.0.1", show(journal, "listen_addresses"));

      KvClient kv = new KvClient(node.httpPort());
      for (int i = 0; i < 30; i++) {
        assertEquals(201, kv.put("default", "k" + i, "v" + i).statusCode());
        // WAL inserted up to now, the write's commit record among it, read before what is flushed:
        // a commit acknowledged before its flush (synchronous_commit off) leaves the flush behind.
        try (Statement s = journal.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT inserted <= flushed, inserted, flushed FROM "
                + "(SELECT pg_current_wal_insert_lsn() AS inserted, pg_current_wal_flush_lsn() AS flushed) AS wal")) {
          rs.next();
          assertTrue(rs.getBoolean(1), "PUT k" + i + " was answered with WAL up to " + rs.getString(2)
              + " but flushed only to " + rs.getString(3));
        }
      }
      try (Statement s = journal.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'kv|default|k%'")) {
        rs.next();
        assertEquals(30, rs.getInt(1));
      }
    } finally {
      node.close();
    }
    assertFalse(Files.exists(dataDir.resolve("postgres/data/postmaster.pid")), "the server stopped with the node");
  }

  /**
   * A password file that is not the server's (edited, or copied from
   * another data directory) fails the start naming the file; the message
   * said "cannot create the journal's database" and hid the reason.
   */
  @Test
  void aWrongPasswordFileFailsTheStartNamingIt(@TempDir Path dataDir) throws Exception {
    Node first = defaultNode(dataDir);
    assertEquals(201, new KvClient(first.httpPort()).put("default", "kept", "v").statusCode());
    first.close();
    Path passwordFile = dataDir.resolve("postgres/password");
    String password = Files.readString(passwordFile);
    Files.writeString(passwordFile, "not-the-servers");

    JournalStartFailed failed = assertThrows(JournalStartFailed.class, () -> defaultNode(dataDir));
    assertTrue(failed.getMessage().contains("password authentication failed")
        && failed.getMessage().contains(passwordFile.toString()), failed.getMessage());

    Files.writeString(passwordFile, password);
    Node again = defaultNode(dataDir);
    try {
      assertEquals("v", new KvClient(again.httpPort()).get("default", "kept").body());
    } finally {
      again.close();
    }
  }

  @Test
  void aServerThatDiedWithoutStoppingLeavesNothingThatBlocksTheNextStart(@TempDir Path dataDir) throws Exception {
    Node first = defaultNode(dataDir);
    assertEquals(201, new KvClient(first.httpPort()).put("default", "kept", "before the crash").statusCode());
    Path pidFile = dataDir.resolve("postgres/data/postmaster.pid");
    List<String> runningServer = Files.readAllLines(pidFile);
    TestNodes.crash(first);
    // What a node and its server killed together (SIGKILL, a power cut) leave: a pid file naming a process that
    // is gone. (A server killed alone is started again by its node: the test below.)
    Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(runningServer.get(0).strip()));
    if (server.isPresent()) server.get().onExit().get(30, TimeUnit.SECONDS); // stopped, about to exit
    Files.write(pidFile, runningServer);

    Node second = defaultNode(dataDir);
    try {
      HttpResponse<String> read = new KvClient(second.httpPort()).get("default", "kept");
      assertEquals(200, read.statusCode());
      assertEquals("before the crash", read.body());
    } finally {
      second.close();
    }
  }

  /**
   * A postmaster that dies while its node runs (killed by the kernel's OOM
   * killer, say) is started again by the node, on the same port, so the
   * node serves again without a restart: before, every write and every
   * key not in memory answered 504 until the node was restarted, while
   * /alive and /ready said it was fine.
   */
  @Test
  void aServerThatDiesWhileItsNodeRunsIsStartedAgain(@TempDir Path dataDir) throws Exception {
    Node node = defaultNode(dataDir);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "kept", "before the crash").statusCode());
      long killed = postmaster(dataDir);
      ProcessHandle process = ProcessHandle.of(killed).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(30, TimeUnit.SECONDS);

      Await.assertEventually(Duration.ofSeconds(60), () -> {
        HttpResponse<String> write = kv.put("default", "after", "the crash");
        assertTrue(write.statusCode() == 201 || write.statusCode() == 200, write.body());
      });
      assertTrue(postmaster(dataDir) != killed, "a new postmaster runs");
      HttpResponse<String> read = kv.get("default", "kept");
      assertEquals(200, read.statusCode(), read.body());
      assertEquals("before the crash", read.body());
    } finally {
      node.close();
    }
    assertFalse(Files.exists(dataDir.resolve("postgres/data/postmaster.pid")), "the node stopped the new server");
  }

  /**
   * While the server cannot be started again (here its data directory's
   * mode, which PostgreSQL refuses; a full disk in life), the node says it
   * is not ready, so that a load balancer sends its requests elsewhere;
   * once the server runs again, it is ready again. /alive stays yes: a
   * restart of the node would not mend the journal.
   */
  @Test
  void aNodeWhoseServerCannotStartAgainIsNotReadyUntilItRuns(@TempDir Path dataDir) throws Exception {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    settings.remove(Setting.JOURNAL);
    Node node = TestNodes.start(settings, ConfigFactory.empty());
    String management = "http://127.0.0.1:" + settings.get(Setting.MANAGEMENT_PORT);
    Path data = dataDir.resolve("postgres/data");
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "kept", "before the crash").statusCode());
      Await.assertEventually(Duration.ofSeconds(30), () -> assertEquals(200, status(management + "/ready")));

      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
      ProcessHandle process = ProcessHandle.of(postmaster(dataDir)).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(30, TimeUnit.SECONDS);
      Await.assertEventually(Duration.ofSeconds(30), () -> assertEquals(500, status(management + "/ready")));
      assertEquals(200, status(management + "/alive"));

      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      Await.assertEventually(Duration.ofSeconds(60), () -> assertEquals(200, status(management + "/ready")));
      Await.assertEventually(Duration.ofSeconds(30), () -> {
        HttpResponse<String> write = kv.put("default", "after", "the crash");
        assertTrue(write.statusCode() == 201 || write.statusCode() == 200, write.body());
      });
      assertEquals("before the crash", kv.get("default", "kept").body());
    } finally {
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      node.close();
    }
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(url + ": " + e, e);
    }
  }

  @Test
  void aDataDirectoryOfTheH2JournalKeepsItAndMovesToPostgresByBackupAndRestore(@TempDir Path dir) throws Exception {
    Path old = dir.resolve("old");
    Node h2 = TestNodes.single(old);
    KvClient kv = new KvClient(h2.httpPort());
    assertEquals(201, kv.put("default", "doc", "one").statusCode());
    assertEquals(200, kv.put("default", "doc", "two").statusCode());
    h2.close();

    Node reopened = defaultNode(old);
    try {
      HttpResponse<String> read = new KvClient(reopened.httpPort()).get("default", "doc");
      assertEquals("two", read.body());
      assertEquals("\"2\"", read.headers().firstValue("ETag").orElseThrow());
    } finally {
      reopened.close();
    }
    assertTrue(Files.exists(old.resolve("journal/actorkv.mv.db")));
    assertFalse(Files.exists(old.resolve("postgres")), "an H2 data directory is not given a second journal");

    Path backup = dir.resolve("old.backup");
    Path moved = dir.resolve("new");
    assertEquals(0, cli("backup", "--data-dir", old.toString(), "--out", backup.toString()));
    assertEquals(0, cli("restore", "--data-dir", moved.toString(), backup.toString()));
    assertTrue(Files.exists(moved.resolve("postgres/data/PG_VERSION")), "restored into embedded PostgreSQL");
    assertFalse(Files.exists(moved.resolve("postgres/data/postmaster.pid")), "restore stops the server it started");

    Node migrated = defaultNode(moved);
    try {
      KvClient after = new KvClient(migrated.httpPort());
      HttpResponse<String> read = after.get("default", "doc");
      assertEquals("two", read.body());
      assertEquals("\"2\"", read.headers().firstValue("ETag").orElseThrow());
      assertEquals("\"3\"", after.put("default", "doc", "three").headers().firstValue("ETag").orElseThrow());
    } finally {
      migrated.close();
    }
  }

  private static long postmaster(Path dataDir) throws Exception {
    return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/data/postmaster.pid")).get(0).strip());
  }

  /** A connection to the running embedded server of {@code dataDir}, found as an operator would. */
  static Connection connect(Path dataDir) throws Exception {
    List<String> pid = Files.readAllLines(dataDir.resolve("postgres/data/postmaster.pid"));
    String password = Files.readString(dataDir.resolve("postgres/password")).strip();
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pid.get(3).strip() + "/actorkv",
        "postgres", password);
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static synchronized int cli(String... args) {
    PrintStream stdout = System.out;
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      return new CommandLine(new Main()).execute(args);
    } finally {
      System.setOut(stdout);
    }
  }
}
