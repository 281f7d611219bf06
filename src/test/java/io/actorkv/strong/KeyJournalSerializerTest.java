package io.actorkv.strong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.actorkv.store.Expiry;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A key's events and snapshot in the journal: each under its stable name, and back. */
class KeyJournalSerializerTest {

  private static final Instant AT = Instant.parse("2026-12-04T00:00:00.123456Z");
  private final KeyJournalSerializer serializer = new KeyJournalSerializer();

  @Test
  void everyEventAndTheSnapshotRoundTripUnderItsStableName() throws Exception {
    byte[] v = "v".getBytes(StandardCharsets.UTF_8);
    Map<Object, String> named = Map.of(
        new KeyEvent.ValuePut(v, "text/plain", Expiry.at(AT.plusSeconds(30)), "alice", AT), "kv.put",
        new KeyEvent.ValuePut(v, "text/plain", Expiry.NEVER, "alice", AT), "kv.put",
        new KeyEvent.ValueDeleted("bob", AT), "kv.delete",
        new KeyEvent.CounterIncremented(-7, "carol", AT), "kv.increment",
        new KeyEvent.ValueExpired(AT), "kv.expire",
        new KeyState(3, new StoredValue(v, "text/plain", Expiry.NEVER, AT)), "kv.state",
        new KeyState(4, null), "kv.state",
        new KeyEvent.CounterIncremented(2, "dave", AT).withIdempotency(new Idempotency("k-1", "ab12")), "kv.increment",
        new KeyState(5, null, null, List.of(new KeyState.Remembered("k-1", "ab12", AT, "kv.delete", 5, false, 0, "alice"))),
        "kv.state");
    for (var e : named.entrySet()) {
      assertEquals(e.getValue(), serializer.manifest(e.getKey()));
      assertEquals(e.getKey(), serializer.fromBinary(serializer.toBinary(e.getKey()), e.getValue()));
    }
  }

  @Test
  void anEventOrSnapshotWrittenBeforeIdempotencyKeysReadsAsRememberingNone() throws Exception {
    var old = new KeyState(3, null);
    byte[] cbor = serializer.toBinary(old);
    // What a snapshot of a build before idempotency keys holds: the same fields but "recent".
    var cborMapper = new CBORMapper();
    var tree = (ObjectNode) cborMapper.readTree(cbor);
    tree.remove("recent");
    byte[] before = cborMapper.writeValueAsBytes(tree);

    KeyState read = (KeyState) serializer.fromBinary(before, "kv.state");

    assertEquals(old, read);
    assertEquals(List.of(), read.recent());
  }

  @Test
  void aSnapshotWrittenBeforeKeysNamedTheirPrincipalReadsWithNone() throws Exception {
    var remembered = new KeyState.Remembered("k-1", "ab12", AT, "kv.delete", 5, false, 0, "alice");
    var cborMapper = new CBORMapper();
    var tree = (ObjectNode) cborMapper.readTree(serializer.toBinary(new KeyState(5, null, null, List.of(remembered))));
    ((ObjectNode) tree.get("recent").get(0)).remove("principal");

    KeyState read = (KeyState) serializer.fromBinary(cborMapper.writeValueAsBytes(tree), "kv.state");

    assertEquals(List.of(new KeyState.Remembered("k-1", "ab12", AT, "kv.delete", 5, false, 0, null)), read.recent());
  }

  @Test
  void theNamesCoverEveryEventType() {
    List<Class<?>> events = List.of(KeyEvent.class.getPermittedSubclasses());
    assertTrue(KeyJournalSerializer.TYPES.values().containsAll(events), "unnamed: " + events);
  }

  @Test
  void anUnknownNameFailsLoudlyAndSaysWhichItIs() {
    var e = assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "kv.teleport"));
    assertTrue(e.getMessage().contains("kv.teleport"), e.getMessage());
  }

  @Test
  void neverIsNullInTheJournalAsIn0Point1() throws Exception {
    var put = new KeyEvent.ValuePut(new byte[0], "text/plain", Expiry.NEVER, "a", AT);
    String cbor = new String(serializer.toBinary(put), StandardCharsets.ISO_8859_1);
    // "expiresAt" followed by CBOR null (0xf6)
    assertTrue(cbor.contains("expiresAt\u00f6"), cbor);
  }
}
