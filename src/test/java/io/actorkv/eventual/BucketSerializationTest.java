package io.actorkv.eventual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Buckets, their deltas and keys go through the node's serialization (LMDB,
 * gossip, remote reads) and come back equal, with the same bytes for equal
 * states, as Distributed Data's digests need.
 */
class BucketSerializationTest {

  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = Replicas.localSystem();
  }

  @AfterAll
  static void stop() {
    ActorTestKit.shutdown(Adapter.toTyped(system));
  }

  /** States of three replicas after a fixed mix of writes, removals and merges. */
  static List<Bucket> states() {
    List<BucketLawsTest.Op> ops = new ArrayList<>();
    for (int i = 0; i < 60; i++) ops.add(new BucketLawsTest.Op(i % 3, (i * 7) % 4, (i * 5) % 6, (i + 1) % 3));
    return List.of(BucketLawsTest.run(ops));
  }

  @Test
  void bucketsDeltasAndKeysRoundTripWithDeterministicBytes() {
    var serialization = new SerializationTestKit(Adapter.toTyped(system));
    List<Object> objects = new ArrayList<>(states());
    Bucket last = states().get(0);
    objects.add(BucketLawsTest.write(last, 0, 9, 5000).deltaData().orElseThrow());
    objects.add(last.remove(BucketLawsTest.self(0), "k1").deltaData().orElseThrow());
    objects.add(EventualStore.bucketKey("carts", 7));
    for (Object o : objects) {
      Object back = serialization.verifySerialization(o, false);
      assertEquals(o, back);
      var pekko = SerializationExtension.get(system);
      assertArrayEquals(pekko.serialize(o).get(), pekko.serialize(back).get());
      assertEquals(EventualSerializer.class, pekko.findSerializerFor(o).getClass());
    }
  }

  @Test
  void anUnknownManifestIsRefused() {
    var serializer = new EventualSerializer(null);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {1}, "Q"));
  }
}
