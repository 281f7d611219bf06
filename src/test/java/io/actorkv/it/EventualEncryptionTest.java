package io.actorkv.it;

import static io.actorkv.it.EncryptionAtRestTest.assertError;
import static io.actorkv.it.EncryptionAtRestTest.foundUnder;
import static io.actorkv.testing.KvClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.security.Tokens;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest of eventual namespaces, end to end over HTTP: with a
 * master key the stopped node's data directory (LMDB and the H2 journal)
 * holds none of the values written, without one it holds them all; a node
 * without the key answers an error, not ciphertext. Shredding, and two
 * nodes sharing a key: {@link EncryptionAtRestTest}, beside strong mode.
 */
class EventualEncryptionTest {

  @TempDir
  Path dataDir;

  @TempDir
  Path keys;

  private Node start(Path masterKey) {
    Map<Setting, Object> settings = TestNodes.settings(dataDir, null, List.of());
    if (masterKey != null) settings.put(Setting.MASTER_KEY_FILE, masterKey.toString());
    return TestNodes.start(settings, ConfigFactory.empty());
  }

  private Path newMasterKey() {
    Path file = keys.resolve("master-" + UUID.randomUUID());
    Tokens.newSecret(file);
    return file;
  }

  @Test
  void withAMasterKeyNoEventualValueIsOnDiskInTheClear() throws Exception {
    List<String> values = writeAndReadBack(start(newMasterKey()));
    assertTrue(lmdbBytes() > 0, "the replicas were stored in LMDB, and searched");
    assertEquals(Set.of(), foundUnder(dataDir, values), "values in the clear under " + dataDir);
  }

  @Test
  void withoutAMasterKeyTheSameSearchFindsEveryValue() throws Exception {
    List<String> values = writeAndReadBack(start(null));
    assertEquals(Set.copyOf(values), foundUnder(dataDir, values), "the search finds values stored in the clear");
  }

  /**
   * Writes to a last-writer-wins and a siblings namespace, reads every value
   * back by GET and listing, stops the node; the values still stored.
   */
  private List<String> writeAndReadBack(Node node) {
    List<String> values = new ArrayList<>();
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("lww", "{\"mode\": \"eventual\", \"buckets\": 2}").statusCode());
      assertEquals(201, kv.putNamespace("sib", "{\"mode\": \"eventual\", \"conflicts\": \"siblings\"}")
          .statusCode());
      for (int i = 0; i < 6; i++) {
        assertEquals(2, kv.put("lww", "k" + i, "overwritten-" + UUID.randomUUID()).statusCode() / 100);
        String value = "plaintext-lww-" + i + "-" + UUID.randomUUID();
        values.add(value);
        assertEquals(2, kv.put("lww", "k" + i, value, "Content-Type", "text/plain").statusCode() / 100);
        assertEquals(value, kv.get("lww", "k" + i).body());
      }
      Set<String> siblings = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        String value = "plaintext-sibling-" + i + "-" + UUID.randomUUID();
        siblings.add(value);
        assertEquals(2, kv.put("sib", "s", value).statusCode() / 100);
      }
      values.addAll(siblings);
      HttpResponse<String> both = kv.get("sib", "s");
      assertEquals(300, both.statusCode(), both.body());
      Set<String> read = new HashSet<>();
      json(both).get("siblings").forEach(s -> read.add(decode(s.get("value"))));
      assertEquals(siblings, read, "siblings open");

      JsonNode listed = json(kv.send("GET", "/v1/kv/lww?keysOnly=false", null)).get("keys");
      assertEquals(6, listed.size());
      for (int i = 0; i < 6; i++) {
        assertEquals(values.get(i), decode(listed.get(i).get("value")), "a listing with values opens them");
        assertEquals(values.get(i).length(), listed.get(i).get("size").asInt(), "and shows the plaintext's size");
      }
      JsonNode keysOnly = json(kv.send("GET", "/v1/kv/lww", null)).get("keys");
      assertEquals(values.get(0).length(), keysOnly.get(0).get("size").asInt(), "a listing of keys, too");
    } finally {
      node.close();
    }
    return values;
  }

  @Test
  void aNodeWithoutTheMasterKeyAnswersValueUnreadableNotCiphertext() {
    Path master = newMasterKey();
    Node node = start(master);
    try {
      KvClient kv = new KvClient(node.httpPort());
      assertEquals(201, kv.putNamespace("ev", "{\"mode\": \"eventual\"}").statusCode());
      assertEquals(201, kv.put("ev", "k", "sealed-secret").statusCode());
    } finally {
      node.close();
    }
    node = start(null);
    try {
      KvClient kv = new KvClient(node.httpPort());
      HttpResponse<String> r = kv.get("ev", "k");
      assertError(r, 500, "value_unreadable");
      assertTrue(json(r).get("message").asText().contains("no master key"), r.body());
      assertFalse(r.body().contains("sealed-secret"));
      assertError(kv.send("GET", "/v1/kv/ev?keysOnly=false", null), 500, "value_unreadable");
    } finally {
      node.close();
    }
    node = start(master);
    try {
      assertEquals("sealed-secret", new KvClient(node.httpPort()).get("ev", "k").body(), "with the key it reads");
    } finally {
      node.close();
    }
  }

  private long lmdbBytes() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("eventual"))) {
      long total = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) total += Files.size(f);
      return total;
    }
  }

  private static String decode(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }
}
