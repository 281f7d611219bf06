package io.actorkv.eventual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ddata.DurableStore;
import org.apache.pekko.cluster.ddata.DurableStore.DurableDataEnvelope;
import org.apache.pekko.cluster.ddata.LmdbDurableStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/** The eventual replicas' durable store, on a real LMDB file in a temporary directory. */
class WriteBehindStoreTest {

  /** Classic, as the replicator that starts a durable store is. */
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = Replicas.localSystem();
  }

  @AfterAll
  static void shutdown() {
    ActorTestKit.shutdown(Adapter.toTyped(system));
  }

  static Config durable(Path dir, String writeBehind) {
    return durable(dir, writeBehind, "64 MiB");
  }

  static Config durable(Path dir, String writeBehind, String mapSize) {
    return ConfigFactory.parseMap(Map.of("lmdb.dir", dir.toString(), "lmdb.map-size", mapSize,
        "lmdb.write-behind-interval", writeBehind));
  }

  static Bucket bucket(int key, long time) {
    return BucketLawsTest.write(Bucket.EMPTY, 0, key, time);
  }

  static Map<String, KeyEntry> entries(int key, long time) {
    return bucket(key, time).entries();
  }

  /** Starts a store on {@code props} and has it load: answers what it loaded. */
  static Map<String, DurableDataEnvelope> startAndLoad(Props props, TestProbe<Object> probe, ActorRef[] started) {
    started[0] = system.actorOf(props);
    started[0].tell(DurableStore.LoadAll$.MODULE$, Adapter.toClassic(probe.ref()));
    Object first = probe.receiveMessage(Duration.ofSeconds(10));
    if (first == DurableStore.LoadAllCompleted$.MODULE$) return Map.of();
    var loaded = scala.jdk.javaapi.CollectionConverters.asJava(((DurableStore.LoadData) first).data());
    probe.expectMessage(Duration.ofSeconds(10), DurableStore.LoadAllCompleted$.MODULE$);
    return loaded;
  }

  static void store(ActorRef store, String key, Bucket data, TestProbe<Object> probe) {
    var reply = new DurableStore.StoreReply("stored " + key, "failed " + key, Adapter.toClassic(probe.ref()));
    store.tell(new DurableStore.Store(key, new DurableDataEnvelope(data), Option.apply(reply)), ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "stored " + key);
  }

  /** Stops {@code store} as a stopping node does, and waits until it has. */
  static void stop(ActorRef store, TestProbe<Object> probe) {
    store.tell(PoisonPill.getInstance(), ActorRef.noSender());
    probe.expectTerminated(Adapter.toTyped(store), Duration.ofSeconds(10));
  }

  @Test
  void whatWasStoredIsLoadedAfterAStopOnlyTheLatestStateOfEachKey(@TempDir Path dir) {
    TestProbe<Object> probe = TestProbe.create(Adapter.toTyped(system));
    ActorRef[] store = new ActorRef[1];
    Props props = Props.create(WriteBehindStore.class, durable(dir, "200ms"));
    assertEquals(Map.of(), startAndLoad(props, probe, store));
    store(store[0], "ev|a|0", bucket(0, 1), probe);
    store(store[0], "ev|a|0", bucket(0, 2), probe);
    store(store[0], "ev|a|1", bucket(1, 3), probe);
    stop(store[0], probe);

    var loaded = startAndLoad(props, probe, store);
    assertEquals(Map.of("ev|a|0", entries(0, 2), "ev|a|1", entries(1, 3)), dataOf(loaded));
    stop(store[0], probe);
  }

  /**
   * A batch the disk refuses (here a bucket larger than the whole LMDB map of 64 KiB;
   * a full disk in life) makes the store answer every later write with
   * failure, and the node's client writes learn it, until a batch is
   * written again: it used to answer success for writes that never reached
   * the disk.
   */
  @Test
  void whileABatchCannotBeWrittenWritesAreAnsweredWithFailureUntilOneIs(@TempDir Path dir) {
    TestProbe<Object> probe = TestProbe.create(Adapter.toTyped(system));
    ActorRef[] store = new ActorRef[1];
    EventualDurability durability = EventualDurability.get(system);
    startAndLoad(Props.create(WriteBehindStore.class, durable(dir, "50ms", "64 KiB")), probe, store);
    Bucket tooLarge = Bucket.EMPTY;
    for (int key = 0; key < 40_000; key++) tooLarge = BucketLawsTest.write(tooLarge, 0, key, key);

    store(store[0], "ev|full|0", tooLarge, probe);
    Await.assertEventually(Duration.ofSeconds(10), () -> assertTrue(durability.failure().isPresent()));
    assertTrue(new EventualDurability.Readiness(system).get().toCompletableFuture().join(),
        "ready: the map fills on every node at once, and no node ready would take strong namespaces down too");
    var reply = new DurableStore.StoreReply("stored", "failed", Adapter.toClassic(probe.ref()));
    store[0].tell(new DurableStore.Store("ev|full|1", new DurableDataEnvelope(bucket(1, 1)), Option.apply(reply)),
        ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "failed");

    // The bucket that did not fit is replaced by a small state of it: the next batch is written.
    store[0].tell(new DurableStore.Store("ev|full|0", new DurableDataEnvelope(bucket(0, 2)), Option.empty()),
        ActorRef.noSender());
    Await.assertEventually(Duration.ofSeconds(10), () -> assertTrue(durability.failure().isEmpty()));
    store(store[0], "ev|full|2", bucket(2, 3), probe);
    stop(store[0], probe);
  }

  @Test
  void withoutWriteBehindEachStoreIsWrittenBeforeItIsAnswered(@TempDir Path dir) {
    TestProbe<Object> probe = TestProbe.create(Adapter.toTyped(system));
    ActorRef[] store = new ActorRef[1];
    Props props = Props.create(WriteBehindStore.class, durable(dir, "off"));
    startAndLoad(props, probe, store);
    store(store[0], "ev|a|0", bucket(0, 1), probe);
    stop(store[0], probe);
    assertEquals(Map.of("ev|a|0", entries(0, 1)), dataOf(startAndLoad(props, probe, store)));
    stop(store[0], probe);
  }

  /** The file is Pekko's layout: a data directory written by Pekko's own LMDB store loads here. */
  @Test
  void aDirectoryWrittenByPekkosLmdbStoreLoads(@TempDir Path dir) {
    TestProbe<Object> probe = TestProbe.create(Adapter.toTyped(system));
    ActorRef[] store = new ActorRef[1];
    startAndLoad(LmdbDurableStore.props(durable(dir, "200ms")), probe, store);
    store(store[0], "ev|a|7", bucket(7, 1), probe);
    stop(store[0], probe);

    var loaded = startAndLoad(Props.create(WriteBehindStore.class, durable(dir, "200ms")), probe, store);
    assertEquals(Map.of("ev|a|7", entries(7, 1)), dataOf(loaded));
    stop(store[0], probe);
  }

  /** What each loaded bucket holds. */
  static Map<String, Map<String, KeyEntry>> dataOf(Map<String, DurableDataEnvelope> loaded) {
    var data = new java.util.HashMap<String, Map<String, KeyEntry>>();
    loaded.forEach((k, v) -> data.put(k, ((Bucket) v.data()).entries()));
    return data;
  }
}
