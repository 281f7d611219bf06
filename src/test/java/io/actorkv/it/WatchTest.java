package io.actorkv.it;

import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestPostgres;
import io.actorkv.testing.Watcher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The change feed ({@code GET /v1/watch/{ns}}) and the audit endpoint
 * ({@code GET /v1/audit/{ns}}) over real connections: replay from an
 * offset, going live without a seam, resuming, filters, both formats,
 * heartbeats, bad input, and the journal's gaps: a write that commits after
 * a later one is never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  static final Config FEED = ConfigFactory.parseString("""
      actorkv.feed.heartbeat = 200ms
      actorkv.feed.gap-timeout = 2s
      actorkv.http.header-timeout = 1s
      """);

  @TempDir
  static Path dataDir;
  private Node node;
  private KvClient kv;

  @BeforeAll
  void start() {
    node = TestNodes.start(TestNodes.settings(dataDir.resolve("shared"), null, List.of()), FEED);
    kv = new KvClient(node.httpPort());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void replaysFromAnOffsetThenGoesLiveWithoutASeam() {
    assertEquals(201, kv.putNamespace("replay", "").statusCode());
    kv.put("replay", "a", "1");
    kv.put("replay", "b", "2");
    kv.delete("replay", "a");
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/replay?from=0")) {
      assertEquals(200, w.status());
      assertTrue(w.response().headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
      List<Watcher.Event> past = w.next(3, WAIT);
      assertEquals(List.of("a", "b", "a"), past.stream().map(Watcher.Event::key).toList());
      assertEquals(List.of("put", "put", "delete"), past.stream().map(Watcher.Event::operation).toList());
      assertEquals(List.of(1L, 1L, 2L), past.stream().map(Watcher.Event::revision).toList());
      for (Watcher.Event e : past) assertEquals(e.id(), e.data().get("offset").asLong(), "the id is the offset");
      assertTrue(past.get(0).id() < past.get(1).id() && past.get(1).id() < past.get(2).id());
      assertFalse(past.get(0).data().has("value"), "values only when asked for");

      kv.send("POST", "/v1/kv/replay/n/increment?by=5", null);
      Watcher.Event live = w.next(WAIT);
      assertEquals("n", live.key());
      assertEquals("increment", live.operation());
      assertEquals(5, live.data().get("by").asLong());
      assertTrue(live.id() > past.get(2).id());
    }
  }

  @Test
  void startsLiveByDefaultAndResumesAfterLastEventId() {
    assertEquals(201, kv.putNamespace("live", "").statusCode());
    kv.put("live", "before", "x");
    List<Watcher.Event> got;
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/live")) {
      long start = w.startedAfter();
      kv.put("live", "k1", "1");
      kv.put("live", "k2", "2");
      got = w.next(2, WAIT);
      assertEquals(List.of("k1", "k2"), got.stream().map(Watcher.Event::key).toList(), "nothing from before");
      assertTrue(got.get(0).id() > start);
    }
    kv.put("live", "k3", "3");
    // A reconnecting EventSource sends both: the header, which is newer, wins.
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/live?from=0",
        "Last-Event-ID", Long.toString(got.get(0).id()))) {
      assertEquals(List.of("k2", "k3"), w.next(2, WAIT).stream().map(Watcher.Event::key).toList());
    }
  }

  @Test
  void filtersByKeyOrPrefixAndShowsValuesWhenAsked() {
    assertEquals(201, kv.putNamespace("filtered", "").statusCode());
    kv.put("filtered", "users/1", "alice");
    kv.put("filtered", "orders/1", "book");
    kv.put("filtered", "users/2", "bob");
    kv.put("other", "users/3", "not this namespace");
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/filtered?from=0&prefix=users/&values=true")) {
      List<Watcher.Event> users = w.next(2, WAIT);
      assertEquals(List.of("users/1", "users/2"), users.stream().map(Watcher.Event::key).toList());
      assertEquals("alice", new String(Base64.getDecoder().decode(users.get(0).data().get("value").asText()),
          StandardCharsets.UTF_8));
    }
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/filtered?from=0&key=orders/1",
        "Accept", "application/x-ndjson")) {
      assertTrue(w.response().headers().firstValue("Content-Type").orElseThrow().startsWith("application/x-ndjson"));
      Watcher.Event order = w.next(WAIT);
      assertEquals("orders/1", order.key());
      assertEquals(64, order.data().get("sha256").asText().length());
      kv.put("filtered", "orders/1", "pen");
      assertEquals(2, w.next(WAIT).revision());
    }
  }

  @Test
  void anIdleStreamGetsHeartbeatsAndOutlivesTheHeaderTimeout() {
    assertEquals(201, kv.putNamespace("idle", "").statusCode());
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/idle")) {
      // 200 ms heartbeats; the connection's header timeout is 1 s.
      Await.until(WAIT, () -> w.heartbeats() >= 10);
      kv.put("idle", "late", "still delivered");
      assertEquals("late", w.next(WAIT).key());
    }
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/idle", "Accept", "application/x-ndjson")) {
      Await.until(WAIT, () -> w.heartbeats() >= 2);
    }
  }

  @Test
  void badInputAnswersAJsonErrorAndChangesNothing() {
    assertEquals(201, kv.putNamespace("strict", "").statusCode());
    kv.putNamespace("loose", "{\"mode\":\"eventual\"}");
    assertWatchError("/v1/watch/strict?from=-1", 400, "bad_offset");
    assertWatchError("/v1/watch/strict?from=abc", 400, "bad_offset");
    assertWatchError("/v1/watch/strict?from=99999999999999999999", 400, "bad_offset");
    assertWatchError("/v1/watch/strict?from=1&from=2", 400, "ambiguous_parameter");
    assertWatchError("/v1/watch/strict?key=a&prefix=b", 400, "ambiguous_parameter");
    assertWatchError("/v1/watch/strict?values=yes", 400, "bad_flag");
    assertWatchError("/v1/watch/strict?since=2026-01-01", 400, "bad_parameter");
    assertWatchError("/v1/watch/loose", 400, "watch_requires_strong");
    assertWatchError("/v1/watch/nosuch", 404, "namespace_not_found");
    assertWatchError("/v1/watch/Bad!", 400, "bad_namespace");
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/strict", "Last-Event-ID", "x1")) {
      assertEquals(400, w.status());
      assertEquals("bad_offset", w.error().get("error").asText());
    }
    assertError(kv.send("GET", "/v1/audit/strict?since=yesterday", null), 400, "bad_time");
    assertError(kv.send("GET", "/v1/audit/strict?since=2026-12-05&until=2026-12-04", null), 400, "bad_time");
    assertError(kv.send("GET", "/v1/audit/strict?limit=0", null), 400, "bad_limit");
    assertError(kv.send("GET", "/v1/audit/strict?cursor=-3", null), 400, "bad_offset");
    assertError(kv.send("GET", "/v1/audit/loose", null), 400, "audit_requires_strong");
    assertError(kv.send("POST", "/v1/audit/strict", ""), 405, "method_not_allowed");
    assertEquals(0, json(kv.send("GET", "/v1/audit/strict", null)).get("changes").size(), "nothing was written");
  }

  @Test
  void auditPagesFilterByTimeAndPrincipalAndCoverEveryChangeOnce() {
    assertEquals(201, kv.putNamespace("audited", "").statusCode());
    for (int i = 0; i < 7; i++) kv.put("audited", "k" + (i % 3), "v" + i);
    kv.delete("audited", "k0");
    List<String> seen = new ArrayList<>();
    String cursor = "0";
    for (int pages = 0; pages < 10; pages++) {
      JsonNode page = json(kv.send("GET", "/v1/audit/audited?limit=3&cursor=" + cursor, null));
      if (page.get("changes").isEmpty()) break;
      page.get("changes").forEach(c -> seen.add(c.get("key").asText() + "@" + c.get("revision").asLong()));
      assertTrue(page.get("changes").size() <= 3);
      cursor = page.get("next").asText();
    }
    assertEquals(List.of("k0@1", "k1@1", "k2@1", "k0@2", "k1@2", "k2@2", "k0@3", "k0@4"), seen);
    assertEquals(8, json(kv.send("GET", "/v1/audit/audited?principal=anonymous&since=2020-01-01", null))
        .get("changes").size());
    assertEquals(0, json(kv.send("GET", "/v1/audit/audited?principal=mallory", null)).get("changes").size());
    assertEquals(0, json(kv.send("GET", "/v1/audit/audited?until=2020-01-01T00:00:00Z", null))
        .get("changes").size());
    JsonNode one = json(kv.send("GET", "/v1/audit/audited?key=k2&values=true&limit=1", null)).get("changes").get(0);
    assertEquals("v2", new String(Base64.getDecoder().decode(one.get("value").asText()), StandardCharsets.UTF_8));
  }

  /**
   * A namespace created again stores its keys under {@code name~n}; its
   * changes name the namespace as the client does, with the incarnation
   * beside it, on the feed and the audit endpoint alike.
   */
  @Test
  void aNamespaceCreatedAgainIsNamedAsTheClientNamesIt() {
    assertEquals(201, kv.putNamespace("again", "").statusCode());
    assertEquals(204, kv.send("DELETE", "/v1/namespaces/again", null).statusCode());
    assertEquals(201, kv.putNamespace("again", "").statusCode());
    assertEquals(201, kv.put("again", "k", "v").statusCode());

    JsonNode audited = json(kv.send("GET", "/v1/audit/again", null)).get("changes").get(0);
    assertEquals("again", audited.get("namespace").asText(), audited.toString());
    assertEquals(1, audited.get("incarnation").asLong(), audited.toString());
    try (Watcher w = Watcher.open(node.httpPort(), "/v1/watch/again?from=0")) {
      JsonNode watched = w.next(WAIT).data();
      assertEquals("again", watched.get("namespace").asText(), watched.toString());
      assertEquals(1, watched.get("incarnation").asLong(), watched.toString());
    }
    assertEquals(201, kv.put("default", "incarnation-0", "v").statusCode());
    JsonNode first = json(kv.send("GET", "/v1/audit/default?key=incarnation-0", null)).get("changes").get(0);
    assertFalse(first.has("incarnation"), "the first incarnation shows none: " + first);
  }

  /**
   * A transaction holds the next offset while a later write commits: the
   * feed must wait for it, deliver both in journal order, and pass an offset
   * that never commits only after the gap timeout.
   */
  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void neverSkipsAWriteThatCommitsAfterALaterOne(String database, @TempDir Path dir) throws Exception {
    String url = database.equals("h2") ? null : TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var settings = TestNodes.settings(dir, url, List.of());
    Node own = TestNodes.start(settings, FEED);
    KvClient client = new KvClient(own.httpPort());
    JournalDatabase journal = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    try (Watcher w = Watcher.open(own.httpPort(), "/v1/watch/default?from=0")) {
      client.put("default", "first", "1");
      Watcher.Event first = w.next(WAIT);
      try (Connection slow = journal.connect()) {
        slow.setAutoCommit(false);
        insertCopy(journal, slow, "kv|default|first", "kv|default|slow");
        client.put("default", "fast", "2"); // commits at a later offset while "slow" is held
        // Within the gap timeout (2 s) nothing may pass the held offset: not a page of the audit
        // endpoint, read now, and not the watch, which polls every 100 ms: two more of its 200 ms
        // heartbeats make sure it has looked since "fast" committed.
        JsonNode page = json(client.send("GET", "/v1/audit/default?cursor=" + first.id(), null));
        assertEquals(0, page.get("changes").size(), page.toString());
        assertEquals(first.id(), page.get("next").asLong());
        int beats = w.heartbeats();
        Await.until(WAIT, () -> w.heartbeats() >= beats + 2);
        assertTrue(w.drain().isEmpty(), "the later write was delivered before the held one");
        slow.commit();
      }
      List<Watcher.Event> next = w.next(2, WAIT);
      assertEquals(List.of("slow", "fast"), next.stream().map(Watcher.Event::key).toList());
      assertTrue(first.id() < next.get(0).id() && next.get(0).id() < next.get(1).id());

      try (Connection failed = journal.connect()) {
        failed.setAutoCommit(false);
        insertCopy(journal, failed, "kv|default|first", "kv|default|never");
        failed.rollback(); // its offset stays empty for good
      }
      client.put("default", "after-the-hole", "3");
      Watcher.Event after = w.next(WAIT); // passed once the gap timeout has run out
      assertEquals("after-the-hole", after.key());
    } finally {
      own.close();
    }
  }

  /** Inserts, in {@code tx}, a copy of {@code from}'s first event as {@code to}'s first: it takes the next offset. */
  static void insertCopy(JournalDatabase db, Connection tx, String from, String to) throws Exception {
    String cols = String.join(", ", db.name("writer"), db.name("write_timestamp"), db.name("adapter_manifest"),
        db.name("event_payload"), db.name("event_ser_id"), db.name("event_ser_manifest"));
    try (PreparedStatement insert = tx.prepareStatement("INSERT INTO " + db.name("event_journal") + " ("
        + db.name("persistence_id") + ", " + db.name("sequence_number") + ", " + db.name("deleted") + ", " + cols
        + ") SELECT ?, 1, FALSE, " + cols + " FROM " + db.name("event_journal") + " WHERE "
        + db.name("persistence_id") + " = ? AND " + db.name("sequence_number") + " = 1")) {
      insert.setString(1, to);
      insert.setString(2, from);
      assertEquals(1, insert.executeUpdate());
    }
  }

  private void assertWatchError(String path, int status, String code) {
    try (Watcher w = Watcher.open(node.httpPort(), path)) {
      assertEquals(status, w.status(), path);
      assertEquals(code, w.error().get("error").asText(), path);
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(code, json(r).get("error").asText(), r.body());
  }
}
