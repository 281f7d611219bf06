package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key index of a node whose journal is its own (the embedded one, H2
 * here): the journal writes each key's row in the transaction of its event,
 * so a listing waits for no feed; an index behind the journal, as a data
 * directory of an earlier release may leave it, is caught up before the
 * node serves. Over HTTP on 127.0.0.1.
 */
class KeyIndexInJournalTest {

  /** A feed of the index would read the journal again only after an hour, or when a listing asks. */
  static final Config NO_FEED = ConfigFactory.parseString("actorkv.listing.index-poll-interval = 1h");

  @Test
  void aKeysRowCommitsWithItsEvent(@TempDir Path dataDir) throws Exception {
    Node node = TestNodes.start(TestNodes.settings(dataDir, null, List.of()), NO_FEED);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.put("default", "a", "1").statusCode());
      assertEquals(201, kv.put("default", "b", "2").statusCode());
      assertEquals(200, kv.put("default", "a", "3").statusCode());
      assertEquals(200, kv.send("POST", "/v1/kv/default/c/increment?by=2", null).statusCode());
      assertEquals(200, kv.send("POST", "/v1/kv/default/c/increment?by=5", null).statusCode());
      assertEquals(204, kv.delete("default", "b").statusCode());
    } finally {
      node.close();
    }
    // The rows committed with their events: no feed read the journal, nor did a listing ask one to.
    try (Connection journal = journal(dataDir); Statement s = journal.createStatement();
         ResultSet rs = s.executeQuery("SELECT \"key_bytes\", \"revision\", \"value_bytes\" FROM "
             + "\"actorkv_key_index\" ORDER BY \"key_bytes\"")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new String(rs.getBytes(1), StandardCharsets.UTF_8) + "@" + rs.getLong(2) + "="
            + new String(rs.getBytes(3), StandardCharsets.UTF_8));
      }
      assertEquals(List.of("a@2=3", "c@2=7"), rows);
    }
  }

  @Test
  void anIndexBehindTheJournalIsCaughtUpBeforeTheNodeServes(@TempDir Path dataDir) throws Exception {
    Node first = TestNodes.start(TestNodes.settings(dataDir, null, List.of()), NO_FEED);
    try {
      KvClient kv = new KvClient(first.httpPort());
      for (String k : List.of("x1", "x2", "x3")) assertEquals(201, kv.put("default", k, "v-" + k).statusCode());
      assertEquals(204, kv.delete("default", "x2").statusCode());
      for (int by = 1; by <= 3; by++) {
        assertEquals(200, kv.send("POST", "/v1/kv/default/n/increment?by=" + by, null).statusCode());
      }
    } finally {
      first.close();
    }
    // As an earlier release leaves it when it stops before its feed has applied everything.
    try (Connection journal = journal(dataDir); Statement s = journal.createStatement()) {
      s.executeUpdate("DELETE FROM \"actorkv_key_index\"");
      s.executeUpdate("UPDATE \"actorkv_key_index_offset\" SET \"applied_through\" = 0");
    }

    Node second = TestNodes.start(TestNodes.settings(dataDir, null, List.of()), NO_FEED);
    try {
      KvClient kv = new KvClient(second.httpPort());
      JsonNode page = listing(kv);
      assertEquals(List.of("n", "x1", "x3"), ListingTest.keys(page));
      assertEquals("6", value(page, 0));
      assertEquals(200, kv.send("POST", "/v1/kv/default/n/increment?by=4", null).statusCode());
      assertEquals(201, kv.put("default", "x4", "v-x4").statusCode());
      page = listing(kv);
      assertEquals(List.of("n", "x1", "x3", "x4"), ListingTest.keys(page));
      assertEquals("10", value(page, 0));
    } finally {
      second.close();
    }
  }

  /** The node's H2 journal, while no node has it open. */
  private static Connection journal(Path dataDir) throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal/actorkv"), "sa", "");
  }

  private static JsonNode listing(KvClient kv) {
    return ListingTest.ok(kv.send("GET", "/v1/kv/default?keysOnly=false", null));
  }

  private static String value(JsonNode page, int i) {
    return new String(Base64.getDecoder().decode(page.get("keys").get(i).get("value").asText()),
        StandardCharsets.UTF_8);
  }
}
