package io.actorkv.eventual;

import static io.actorkv.eventual.Replicas.merge;
import static io.actorkv.eventual.Replicas.node;
import static io.actorkv.eventual.Replicas.text;
import static io.actorkv.eventual.Replicas.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.store.Expiry;
import java.io.NotSerializableException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyEntryTest {

  static List<String> siblings(KeyEntry e) {
    return e.siblingsAt(0).stream().map(Replicas::text).toList();
  }

  @Test
  void concurrentWritesBecomeSiblingsAndAWriteWithTheirContextResolvesThem() {
    KeyEntry a = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("left", 1));
    KeyEntry b = KeyEntry.EMPTY.write(node(2), VClock.EMPTY, value("right", 2));
    KeyEntry merged = merge(a, b);
    assertEquals(List.of("left", "right"), siblings(merged));

    KeyEntry resolved = KeyEntry.EMPTY.write(node(3), merged.clock(), value("both", 3));
    assertEquals(List.of("both"), siblings(merge(merged, resolved)));
    assertEquals(List.of("both"), siblings(merge(resolved, a)), "a stale replica cannot bring back what was seen");
  }

  @Test
  void aWriteSupersedesExactlyWhatItsContextSaw() {
    KeyEntry a1 = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("v1", 1));
    KeyEntry b = a1;  // node 2 has seen v1
    KeyEntry a2 = a1.write(node(1), VClock.EMPTY, value("v2", 2));  // node 1 adds v2 without a context
    KeyEntry b3 = b.write(node(2), b.clock(), value("v3", 3));      // node 2 replaces v1 only
    assertEquals(List.of("v2", "v3"), siblings(merge(a2, b3)));
  }

  @Test
  void lastWriterWinsByTimestampThenNodeTheSameOnEveryReplica() {
    KeyEntry early = KeyEntry.EMPTY.write(node(2), VClock.EMPTY, value("early", 5));
    KeyEntry late = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("late", 6));
    assertEquals("late", text(merge(early, late).winnerAt(0).orElseThrow()));
    assertEquals("late", text(merge(late, early).winnerAt(0).orElseThrow()));

    KeyEntry tieLow = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("low", 7));
    KeyEntry tieHigh = KeyEntry.EMPTY.write(node(2), VClock.EMPTY, value("high", 7));
    assertEquals("high", text(merge(tieLow, tieHigh).winnerAt(0).orElseThrow()));
    assertEquals("high", text(merge(tieHigh, tieLow).winnerAt(0).orElseThrow()));
  }

  @Test
  void aWinningTombstoneReadsAsAbsentAndALaterWriteWinsOverIt() {
    KeyEntry v = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("v", 1));
    KeyEntry deleted = KeyEntry.EMPTY.write(node(2), VClock.EMPTY, Version.tombstone(2));
    assertTrue(merge(v, deleted).winnerAt(0).isEmpty());
    KeyEntry again = merge(v, deleted).write(node(1), VClock.EMPTY, value("again", 3));
    assertEquals("again", text(again.winnerAt(0).orElseThrow()));
  }

  @Test
  void expiredValuesAreNotRead() {
    KeyEntry e = KeyEntry.EMPTY.write(node(1), VClock.EMPTY,
        Version.value("v".getBytes(), "text/plain", 1, Expiry.at(Instant.ofEpochMilli(100))));
    assertEquals(1, e.siblingsAt(99).size());
    assertTrue(e.siblingsAt(100).isEmpty());
    assertTrue(e.winnerAt(100).isEmpty());
  }

  @Test
  void incrementsOnEveryReplicaAllCountOnce() {
    KeyEntry a = KeyEntry.EMPTY.increment(node(1), 5).increment(node(1), -2);
    KeyEntry b = KeyEntry.EMPTY.increment(node(2), 10);
    KeyEntry merged = merge(a, b);
    assertEquals(BigInteger.valueOf(13), merged.counter());
    assertEquals(BigInteger.valueOf(13), merge(merged, a).counter(), "merging again does not count twice");
    assertThrows(ArithmeticException.class, () -> KeyEntry.EMPTY.increment(node(1), Long.MAX_VALUE).increment(node(2), 1)
        .counter());
  }

  @Test
  void pruningMovesARemovedNodesWritesToAnotherAndKeepsWhatReadersSee() {
    KeyEntry e = merge(
        KeyEntry.EMPTY.write(node(1), VClock.EMPTY, value("one", 1)).increment(node(1), 4),
        KeyEntry.EMPTY.write(node(2), VClock.EMPTY, value("two", 2)).increment(node(2), 3));
    assertTrue(e.needPruningFrom(node(1)));
    KeyEntry pruned = e.prune(node(1), node(2));
    assertFalse(pruned.needPruningFrom(node(1)));
    assertEquals(List.of("one", "two"), siblings(pruned).stream().sorted().toList());
    assertEquals(BigInteger.valueOf(7), pruned.counter());
    assertEquals(pruned, pruned.pruningCleanup(node(1)));
  }

  @Test
  void anEntryOfRelease01WithLongCounterPartsStillReads() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    var out = new java.io.DataOutputStream(bytes);
    out.writeByte(1); // release 0.1's format
    out.writeInt(1);  // one node
    out.writeUTF(node(1).address().toString());
    out.writeLong(node(1).longUid());
    out.writeInt(0);  // an empty version vector
    out.writeInt(0);  // no versions
    out.writeInt(1);  // increments: node 0, 5
    out.writeInt(0);
    out.writeLong(5);
    out.writeInt(1);  // decrements: node 0, 2
    out.writeInt(0);
    out.writeLong(2);

    KeyEntry read = (KeyEntry) new EventualSerializer(null).fromBinary(bytes.toByteArray(), "K");

    assertEquals(BigInteger.valueOf(3), read.counter());
    assertEquals(BigInteger.valueOf(4), read.increment(node(1), 1).counter());
  }

  @Test
  void garbageIsRejected() {
    EventualSerializer serializer = new EventualSerializer(null);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {1, 0, 0}, "K"));
    CausalContexts contexts = new CausalContexts(new byte[32]);
    assertThrows(IllegalArgumentException.class, () -> contexts.verify("ns", "k", "not-a-context"));
    assertThrows(IllegalArgumentException.class, () -> contexts.verify("ns", "k", ""));
  }
}
