package io.actorkv.eventual;

import static io.actorkv.eventual.Replicas.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.config.ActorKvSettings.Journal;
import io.actorkv.crypto.DataKeys;
import io.actorkv.crypto.LocalMasterKeys;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.store.Expiry;
import io.actorkv.store.ValueUnreadable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eventual values sealed with a namespace's data key, on a real H2 journal:
 * they open only as the key and version they were written for, survive the
 * serializer's format with their flag, and never open once shredded or on a
 * node without a master key.
 */
class VersionSealTest {

  @TempDir
  Path dataDir;

  private DataKeys keys;
  private VersionSeal seal;
  private final EventualSerializer serializer = new EventualSerializer(null);

  @BeforeEach
  void keys() {
    JournalDatabase db = JournalDatabase.open("", "", "", dataDir, Journal.H2);
    db.migrate();
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    keys = new DataKeys(db, LocalMasterKeys.of(master, List.of()), Runnable::run);
    seal = new VersionSeal(keys);
    keys.loadForWriting("carts").toCompletableFuture().join();
  }

  private static Version written(String value, long timestamp) {
    return Version.value(value.getBytes(StandardCharsets.UTF_8), "text/plain", timestamp,
        Expiry.at(Instant.ofEpochMilli(timestamp + 60_000)));
  }

  /** A sealed version of {@code key}, as a write on node 1 stores it. */
  private KeyEntry sealedEntry(String key, String value, long timestamp) {
    return KeyEntry.EMPTY.write(node(1), VClock.EMPTY, seal.seal("carts", key, written(value, timestamp)));
  }

  @Test
  void aSealedValueHoldsNoPlaintextAndOpensForItsOwnKeyAfterTheSerializer() throws Exception {
    KeyEntry entry = sealedEntry("alice", "alice-secret", 1000);
    byte[] bytes = serializer.toBinary(entry);
    assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("alice-secret"), "no plaintext");

    KeyEntry back = (KeyEntry) serializer.fromBinary(bytes, "K");
    assertEquals(entry, back);
    Version stored = back.versions().iterator().next();
    assertTrue(stored.sealed());
    assertEquals("alice-secret".length(), stored.plainLength());
    assertEquals("alice-secret", Replicas.text(seal.open("carts", "alice", stored)));
  }

  @Test
  void aCiphertextCopiedOntoAnotherKeyOrVersionDoesNotOpen() throws Exception {
    Version alice = ((KeyEntry) serializer.fromBinary(serializer.toBinary(sealedEntry("alice", "alice-secret",
        1000)), "K")).versions().iterator().next();
    ValueUnreadable moved = assertThrows(ValueUnreadable.class, () -> seal.open("carts", "bob", alice));
    assertFalse(moved.shredded());
    assertThrows(ValueUnreadable.class, () -> seal.open("orders", "alice", alice), "another namespace");
    Version later = new Version(alice.dot(), alice.value(), alice.contentType(), alice.timestamp() + 1,
        alice.expires(), false, true);
    assertThrows(ValueUnreadable.class, () -> seal.open("carts", "alice", later), "another write's timestamp");
    Version longer = new Version(alice.dot(), alice.value(), alice.contentType(), alice.timestamp(), Expiry.NEVER,
        false, true);
    assertThrows(ValueUnreadable.class, () -> seal.open("carts", "alice", longer), "an expiry taken away");
  }

  @Test
  void entriesWithoutSealedValuesKeepTheFormatEarlierReleasesRead() throws Exception {
    KeyEntry plain = KeyEntry.EMPTY.write(node(1), VClock.EMPTY, written("in-the-clear", 5));
    byte[] bytes = serializer.toBinary(plain);
    assertEquals(2, bytes[0]);
    assertEquals(3, serializer.toBinary(sealedEntry("k", "v", 5))[0]);
    Version back = ((KeyEntry) serializer.fromBinary(bytes, "K")).versions().iterator().next();
    assertFalse(back.sealed());
    assertArrayEquals("in-the-clear".getBytes(StandardCharsets.UTF_8), seal.open("carts", "k", back).value());
  }

  @Test
  void aShreddedNamespaceNeverOpensAgainNorSeals() {
    Version stored = sealedEntry("alice", "alice-secret", 1000).versions().iterator().next();
    keys.shred("carts");
    assertTrue(assertThrows(ValueUnreadable.class, () -> seal.open("carts", "alice", stored)).shredded());
    assertTrue(assertThrows(ValueUnreadable.class, () -> seal.seal("carts", "alice", written("v", 2))).shredded());
  }

  @Test
  void aNodeWithoutAMasterKeyAnswersUnreadableNotCiphertext() {
    Version stored = sealedEntry("alice", "alice-secret", 1000).versions().iterator().next();
    ValueUnreadable e = assertThrows(ValueUnreadable.class, () -> VersionSeal.OFF.open("carts", "alice", stored));
    assertFalse(e.shredded());
    assertTrue(e.getMessage().contains("no master key"), e.getMessage());
    Version plain = written("v", 1);
    assertEquals(plain, VersionSeal.OFF.seal("carts", "k", plain), "encryption off: nothing is sealed");
  }
}
