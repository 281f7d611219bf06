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
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Listings ({@code GET /v1/kv/{ns}}) over real connections: strong
 * namespaces on H2 and on PostgreSQL, where they read the key index, and
 * eventual ones. On H2, a journal of the node's own, the journal writes the
 * index; on PostgreSQL it is fed slowly here (every 300 ms), so a listing
 * that did not wait for it would miss writes acknowledged just before it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingTest {

  static final Config SLOW_INDEX = ConfigFactory.parseString("actorkv.listing.index-poll-interval = 300ms");

  @TempDir
  static Path dataDir;
  private Node h2;
  private Node postgres;

  @BeforeAll
  void start() {
    h2 = TestNodes.start(TestNodes.settings(dataDir.resolve("h2"), null, List.of()), SLOW_INDEX);
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    postgres = TestNodes.start(TestNodes.settings(dataDir.resolve("pg"), url, List.of()), SLOW_INDEX);
  }

  @AfterAll
  void stop() {
    h2.close();
    postgres.close();
  }

  private KvClient client(String journal) {
    return new KvClient((journal.equals("h2") ? h2 : postgres).httpPort());
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonNode ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return json(r);
  }

  static List<String> keys(JsonNode page) {
    List<String> keys = new ArrayList<>();
    page.get("keys").forEach(k -> keys.add(k.get("key").asText()));
    return keys;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void listsLiveKeysInByteOrderWithTheirMetadata(String journal) {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("order", "").statusCode());
    // Byte order: "Z" < "a" < "a/1" < "z" < "é" (0xC3 0xA9) < "😀" (0xF0 ...), which UTF-16 order would not give.
    for (String k : List.of("z", "é", "a/1", "😀", "a", "Z", "gone")) kv.put("order", k, "v-" + k);
    kv.delete("order", "gone");
    kv.send("POST", "/v1/kv/order/n/increment?by=7", null);
    kv.send("PUT", "/v1/kv/order/t?ttl=1h", "later", "Content-Type", "application/json");

    JsonNode all = ok(kv.send("GET", "/v1/kv/order", null));
    assertEquals(List.of("Z", "a", "a/1", "n", "t", "z", "é", "😀"), keys(all));
    assertFalse(all.has("next"));
    JsonNode t = all.get("keys").get(4);
    assertEquals(1, t.get("revision").asLong());
    assertEquals(5, t.get("size").asInt());
    assertEquals("application/json", t.get("contentType").asText());
    assertTrue(t.has("modified") && t.has("expires"));
    assertFalse(t.has("value"), "keys only by default");
    JsonNode counter = all.get("keys").get(3);
    assertEquals(1, counter.get("revision").asLong());

    JsonNode withValues = ok(kv.send("GET", "/v1/kv/order?prefix=a&keysOnly=false", null));
    assertEquals(List.of("a", "a/1"), keys(withValues));
    assertEquals("v-a/1", new String(Base64.getDecoder().decode(withValues.get("keys").get(1).get("value").asText()),
        StandardCharsets.UTF_8));
    JsonNode n = ok(kv.send("GET", "/v1/kv/order?prefix=n&keysOnly=false", null));
    assertEquals("7", new String(Base64.getDecoder().decode(n.get("keys").get(0).get("value").asText()),
        StandardCharsets.UTF_8));

    assertEquals(List.of("a/1", "n", "t"), keys(ok(kv.send("GET", "/v1/kv/order?start=a%2F&end=z", null))));
    assertEquals(8, ok(kv.send("GET", "/v1/kv/order?count=true", null)).get("count").asLong());
    assertEquals(2, ok(kv.send("GET", "/v1/kv/order?count=true&prefix=a", null)).get("count").asLong());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void expiredKeysLeaveTheListing(String journal) {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("expiring", "").statusCode());
    kv.put("expiring", "stays", "1");
    kv.send("PUT", "/v1/kv/expiring/brief?ttl=1s", "2");
    assertEquals(List.of("brief", "stays"), keys(ok(kv.send("GET", "/v1/kv/expiring", null))));
    Await.assertEventually(Duration.ofSeconds(10), () ->
        assertEquals(List.of("stays"), keys(ok(kv.send("GET", "/v1/kv/expiring", null)))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void pagesGoOnFromTheirCursorWhileOthersWrite(String journal) throws Exception {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("paged", "").statusCode());
    List<String> stable = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String k = String.format("k%03d", i * 2);
      kv.put("paged", k, "x");
      stable.add(k);
    }
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int i = 0; !stop.get(); i++) {
        kv.put("paged", String.format("k%03d", (i % 60) * 2 + 1), "new"); // odd keys come and go
        if (i % 3 == 0) kv.delete("paged", String.format("k%03d", ((i + 30) % 60) * 2 + 1));
      }
    });
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = ok(kv.send("GET", "/v1/kv/paged?limit=7" + (cursor == null ? "" : "&cursor=" + q(cursor)), null));
      seen.addAll(keys(page));
      cursor = page.has("next") ? page.get("next").asText() : null;
      pages++;
    } while (cursor != null);
    stop.set(true);
    writer.get();
    assertTrue(pages >= 9, "pages: " + pages);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1).compareTo(seen.get(i)) < 0, "in order, each once: " + seen);
    }
    assertTrue(seen.containsAll(stable), "every key that lived throughout: " + seen);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void aListingShowsEveryWriteAcknowledgedBeforeItBegan(String journal) throws Exception {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("acked", "").statusCode());
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int i = 0; !stop.get() && i < 10_000; i++) {
        assertTrue(kv.put("acked", String.format("w%05d", i), "x").statusCode() < 300);
        acknowledged.set(i + 1);
      }
    });
    try {
      for (int round = 0; round < 15; round++) {
        Await.until(Duration.ofSeconds(10), () -> acknowledged.get() > 0);
        int before = acknowledged.get();
        long count = ok(kv.send("GET", "/v1/kv/acked?count=true", null)).get("count").asLong();
        assertTrue(count >= before, "round " + round + ": " + before + " acknowledged before the listing, it saw "
            + count);
        Set<String> listed = new HashSet<>(keys(ok(kv.send("GET", "/v1/kv/acked?limit=10000", null))));
        for (int i = 0; i < before; i++) {
          assertTrue(listed.contains(String.format("w%05d", i)), "round " + round + ": w" + i + " missing");
        }
      }
    } finally {
      stop.set(true);
      writer.get();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void badInputIsA400AndChangesNothing(String journal) {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("strict", "").statusCode());
    kv.put("strict", "a", "1");
    assertError(kv.send("GET", "/v1/kv/strict?limit=0", null), "bad_limit");
    assertError(kv.send("GET", "/v1/kv/strict?limit=10001", null), "bad_limit");
    assertError(kv.send("GET", "/v1/kv/strict?limit=ten", null), "bad_limit");
    assertError(kv.send("GET", "/v1/kv/strict?cursor=nonsense", null), "bad_cursor");
    assertError(kv.send("GET", "/v1/kv/strict?cursor=k1.%21%21", null), "bad_cursor");
    assertError(kv.send("GET", "/v1/kv/strict?cursor=k1.__8", null), "bad_cursor"); // not UTF-8
    assertError(kv.send("GET", "/v1/kv/strict?start=b&end=a", null), "bad_range");
    assertError(kv.send("GET", "/v1/kv/strict?start=a&end=a", null), "bad_range");
    assertError(kv.send("GET", "/v1/kv/strict?prefix=a&start=a", null), "bad_range");
    assertError(kv.send("GET", "/v1/kv/strict?prefix=" + "x".repeat(1025), null), "bad_range");
    assertError(kv.send("GET", "/v1/kv/strict?keysOnly=maybe", null), "bad_flag");
    assertError(kv.send("GET", "/v1/kv/strict?r=majority", null), "bad_level");
    assertError(kv.send("GET", "/v1/kv/strict?limit=1&limit=2", null), "ambiguous_parameter");
    assertEquals(404, kv.send("GET", "/v1/kv/nosuch", null).statusCode());
    assertEquals(1, ok(kv.send("GET", "/v1/kv/strict?count=true", null)).get("count").asLong());
    // A parameter of a listing that the request would ignore, where a caller may well rely on it: a count
    // after a cursor counted the whole range; a range delete "from a cursor", or "count only", deleted it all.
    String cursor = ok(kv.send("GET", "/v1/kv/strict?limit=1", null)).path("next").asText("k1.YQ");
    assertError(kv.send("GET", "/v1/kv/strict?count=true&cursor=" + cursor, null), "bad_parameter");
    for (String listingOnly : List.of("cursor=" + cursor, "count=true", "keysOnly=true", "r=local")) {
      assertError(kv.send("DELETE", "/v1/kv/strict?prefix=a&" + listingOnly, null), "bad_parameter");
    }
    assertEquals(200, kv.get("strict", "a").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void aRangeDeleteDeletesEachKeyWithAnEventOfItsOwn(String journal) {
    KvClient kv = client(journal);
    assertEquals(201, kv.putNamespace("ranged", "").statusCode());
    for (String k : List.of("a/1", "a/2", "a/3", "a/4", "a/5", "b")) kv.put("ranged", k, "x");
    JsonNode first = ok(kv.send("DELETE", "/v1/kv/ranged?prefix=a%2F&limit=2", null));
    assertEquals(2, first.get("deleted").asLong());
    assertTrue(first.get("more").asBoolean());
    JsonNode rest = ok(kv.send("DELETE", "/v1/kv/ranged?prefix=a%2F", null));
    assertEquals(3, rest.get("deleted").asLong());
    assertFalse(rest.get("more").asBoolean());
    assertEquals(List.of("b"), keys(ok(kv.send("GET", "/v1/kv/ranged", null))));
    JsonNode history = json(kv.send("GET", "/v1/history/ranged/a%2F1", null));
    assertEquals("delete", history.get("revisions").get(0).get("operation").asText());
    assertEquals(2, history.get("revisions").get(0).get("revision").asLong());

    assertError(kv.send("DELETE", "/v1/kv/ranged", null), "bad_range");
    assertError(kv.send("DELETE", "/v1/kv/ranged?start=c&end=b", null), "bad_range");
    assertError(kv.send("DELETE", "/v1/kv/ranged?prefix=b&limit=10001", null), "bad_limit");
    assertEquals(405, kv.send("PUT", "/v1/kv/ranged", "x").statusCode());
    assertEquals(List.of("b"), keys(ok(kv.send("GET", "/v1/kv/ranged", null))));
  }

  /** On a shared journal, a listing that finds the index behind has a feeder that waits (an hour here) read now. */
  @Test
  void aListingWakesAWaitingFeeder(@TempDir Path dir) {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Node node = TestNodes.start(TestNodes.settings(dir, url, List.of()),
        ConfigFactory.parseString("actorkv.listing.index-poll-interval = 1h"));
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "p", "1").statusCode());
      assertEquals(201, kv.put("default", "q", "2").statusCode());
      assertEquals(List.of("p", "q"), keys(ok(kv.send("GET", "/v1/kv/default", null))));
      assertEquals(201, kv.put("default", "r", "3").statusCode());
      assertEquals(List.of("p", "q", "r"), keys(ok(kv.send("GET", "/v1/kv/default", null))));
    } finally {
      node.close();
    }
  }

  /**
   * On a shared journal, a transaction holds an offset below a write
   * acknowledged since: the index cannot pass it (the gap timeout is an hour
   * here), so a listing times out, and says that the index, not a key's
   * owner, was late, and that nothing changed. Once the held write
   * commits, the listing shows both.
   */
  @Test
  void aListingBehindAHeldWriteTimesOutNamingTheIndex(@TempDir Path dir) throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    var settings = TestNodes.settings(dir, url, List.of());
    Node node = TestNodes.start(settings,
        ConfigFactory.parseString("actorkv.request-timeout = 1s\nactorkv.feed.gap-timeout = 1h"));
    JournalDatabase journal = JournalDatabase.open(ActorKvSettings.from(NodeConfig.of(settings, ConfigFactory.empty())));
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "first", "1").statusCode());
      try (Connection held = journal.connect()) {
        held.setAutoCommit(false);
        WatchTest.insertCopy(journal, held, "kv|default|first", "kv|default|held");
        assertEquals(201, kv.put("default", "later", "2").statusCode());

        for (var listing : List.of(kv.send("GET", "/v1/kv/default", null),
            kv.send("DELETE", "/v1/kv/default?prefix=l", null))) {
          assertEquals(504, listing.statusCode(), listing.body());
          JsonNode error = json(listing);
          assertEquals("timeout", error.get("error").asText());
          assertFalse(error.get("mayHaveApplied").asBoolean(), listing.body());
          assertTrue(error.get("message").asText().contains("key index"), listing.body());
        }
        held.commit();
      }
      assertEquals(List.of("first", "held", "later"), keys(ok(kv.send("GET", "/v1/kv/default", null))));
    } finally {
      node.close();
    }
  }

  @Test
  void eventualNamespacesRefuseRangeDeletes() {
    KvClient kv = client("h2");
    assertEquals(201, kv.putNamespace("evdel", "{\"mode\":\"eventual\"}").statusCode());
    kv.put("evdel", "a", "1");
    assertError(kv.send("DELETE", "/v1/kv/evdel?prefix=a", null), "range_delete_requires_strong");
    assertEquals(200, kv.get("evdel", "a").statusCode());
  }

  private static void assertError(HttpResponse<String> r, String code) {
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(code, json(r).get("error").asText(), r.body());
  }

  @Test
  void eventualNamespacesListThisNodesReplicasOrAMajoritys() {
    KvClient kv = client("h2");
    assertEquals(201, kv.putNamespace("ev", "{\"mode\":\"eventual\",\"buckets\":8}").statusCode());
    for (String k : List.of("b", "é", "a", "c")) kv.put("ev", k, "v-" + k);
    kv.delete("ev", "c");
    kv.send("POST", "/v1/kv/ev/n/increment?by=2", null);
    JsonNode local = ok(kv.send("GET", "/v1/kv/ev?keysOnly=false", null));
    assertEquals(List.of("a", "b", "n", "é"), keys(local));
    assertFalse(local.get("keys").get(0).has("revision"));
    assertEquals("v-a", new String(Base64.getDecoder().decode(local.get("keys").get(0).get("value").asText()),
        StandardCharsets.UTF_8));
    JsonNode paged = ok(kv.send("GET", "/v1/kv/ev?r=majority&limit=2", null));
    assertEquals(List.of("a", "b"), keys(paged));
    JsonNode rest = ok(kv.send("GET", "/v1/kv/ev?r=majority&cursor=" + q(paged.get("next").asText()), null));
    assertEquals(List.of("n", "é"), keys(rest));
    assertEquals(3, ok(kv.send("GET", "/v1/kv/ev?count=true&end=%C3%A9", null)).get("count").asLong());
  }
}
