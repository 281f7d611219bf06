package io.actorkv.eventual;

import static io.actorkv.eventual.Replicas.merge;
import static io.actorkv.eventual.Replicas.node;
import static io.actorkv.eventual.Replicas.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The laws Distributed Data relies on, for states reached by any mix of
 * writes, deletes, increments and merges on three replicas: merge is
 * commutative, associative and idempotent, and the serializer round-trips
 * and gives equal states equal bytes.
 */
class KeyEntryLawsTest {

  /** One step on replica {@code replica}: what it does, and the replica or amount it involves. */
  record Op(int replica, int kind, int other, int amount) {}

  @Provide
  Arbitrary<List<Op>> histories() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 6),
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(-5, 5))
        .as(Op::new).list().ofMaxSize(40);
  }

  /** The three replicas after {@code ops}. */
  static KeyEntry[] run(List<Op> ops) {
    KeyEntry[] r = {KeyEntry.EMPTY, KeyEntry.EMPTY, KeyEntry.EMPTY};
    long time = 0;
    for (Op op : ops) {
      KeyEntry e = r[op.replica()];
      time++;
      r[op.replica()] = switch (op.kind()) {
        case 0 -> e.write(node(op.replica()), VClock.EMPTY, value("v" + time, time));
        case 1 -> e.write(node(op.replica()), e.clock(), value("v" + time, time));
        case 2 -> e.write(node(op.replica()), r[op.other()].clock(), value("v" + time, time));
        case 3 -> e.write(node(op.replica()), e.clock(), Version.tombstone(time));
        case 4 -> e.increment(node(op.replica()), op.amount());
        default -> e.mergeData(r[op.other()]);
      };
    }
    return r;
  }

  @Property
  void mergeIsCommutative(@ForAll("histories") List<Op> ops) {
    KeyEntry[] r = run(ops);
    assertEquals(merge(r[0], r[1]), merge(r[1], r[0]));
  }

  @Property
  void mergeIsAssociative(@ForAll("histories") List<Op> ops) {
    KeyEntry[] r = run(ops);
    assertEquals(merge(merge(r[0], r[1]), r[2]), merge(r[0], merge(r[1], r[2])));
  }

  @Property
  void mergeIsIdempotent(@ForAll("histories") List<Op> ops) {
    KeyEntry[] r = run(ops);
    assertEquals(r[0], merge(r[0], r[0]));
    KeyEntry ab = merge(r[0], r[1]);
    assertEquals(ab, merge(ab, r[1]));
  }

  @Property
  void serializerRoundTripsAndIsDeterministic(@ForAll("histories") List<Op> ops) throws Exception {
    EventualSerializer serializer = new EventualSerializer(null);
    KeyEntry[] r = run(ops);
    for (KeyEntry e : r) {
      byte[] bytes = serializer.toBinary(e);
      KeyEntry back = (KeyEntry) serializer.fromBinary(bytes, serializer.manifest(e));
      assertEquals(e, back);
      assertArrayEquals(bytes, serializer.toBinary(back));
    }
    assertArrayEquals(serializer.toBinary(merge(r[0], r[1])), serializer.toBinary(merge(r[1], r[0])));
  }

  private static final CausalContexts CONTEXTS = new CausalContexts(new byte[32]);

  @Property
  void contextsRoundTrip(@ForAll("histories") List<Op> ops) {
    for (KeyEntry e : run(ops)) {
      assertEquals(e.clock(), CONTEXTS.verify("ns", "k", CONTEXTS.issue("ns", "k", e.clock())));
    }
  }
}
