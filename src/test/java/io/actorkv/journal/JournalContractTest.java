package io.actorkv.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.testing.TestNodes;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The contract every journal plugin of ActorKV keeps: the journal cases of
 * Pekko's persistence plugin TCK (pekko-persistence-tck 1.7.0,
 * {@code JournalSpec}), one test each, written anew in Java without ScalaTest.
 * Each test sends the TCK's {@code JournalProtocol} messages to the plugin's
 * actor, as persistent actors do, and expects the TCK's replies. A subclass
 * names the plugin and gives the actor system's configuration with the
 * plugin and its database; one actor system and one database serve the
 * class, and every test writes a persistence id of its own.
 *
 * <p>Before each test, as in the TCK, events 1 to 5 of the test's id are
 * written ({@code "a-1"} to {@code "a-5"}): 1, 2 and 3 as an
 * {@code AtomicWrite} each, 4 and 5 as one {@code AtomicWrite}, as
 * {@code persistAll} writes them. The TCK's capability flags are all on here,
 * since the jdbc-journal supports each and a journal that replaces it must
 * do no less: events go through Pekko serialization (transport information
 * set, an actor reference inside survives); an event without a serializer is
 * rejected alone while the others of the same write are stored; metadata is
 * stored and replayed.
 *
 * <p>Left out of the TCK, and why:
 * <ul>
 *   <li>{@code JournalPerfSpec} (persist, persistAsync and recovery of
 *       10,000 events, each timed ten times): it measures and prints times
 *       and checks only that the events come back in order, which the cases
 *       here check too; our tests assert no speed.</li>
 *   <li>The TCK's variant for journals that cannot write several events
 *       atomically ({@code supportsAtomicPersistAllOfSeveralEvents = false},
 *       which writes 4 and 5 apart): ActorKV's journals must write them
 *       atomically, so only that fixture is kept.</li>
 *   <li>The TCK's {@code EventFilter} around the rejection case: it only
 *       silences the rejection's log line and asserts nothing.</li>
 *   <li>{@code SnapshotStoreSpec}: the snapshot store's contract, not the
 *       journal's.</li>
 * </ul>
 *
 * <p>The plugin's actor is found as the TCK finds it, by
 * {@code Persistence.journalFor}: internal to Pekko (Scala's
 * {@code private[pekko]}, public to Java) but marked
 * {@code @InternalStableApi}; persistent actors reach their journal by it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JournalContractTest {

  /** What the TCK adds: plugin commands on the event stream, and a serializer that checks how it is called. */
  private static final Config CONTRACT = ConfigFactory.parseString("""
      pekko.persistence.publish-plugin-commands = on
      pekko.actor.provider = local
      pekko.actor.serializers.journal-contract = "io.actorkv.journal.JournalContractTest$RefEventSerializer"
      pekko.actor.serialization-bindings {
        "io.actorkv.journal.JournalContractTest$RefEvent" = journal-contract
      }
      pekko.test.single-expect-default = 10s
      """);
  /** Persistent actors' incarnation number, echoed in write replies; the TCK's value. */
  private static final int ACTOR_INSTANCE_ID = 1;

  private final String journalPluginId;
  /** The running class's own, for a database in files (static: set before {@code @BeforeAll}). */
  @TempDir
  static Path dataDir;
  private ActorSystem system;
  private ActorRef journal;
  private String pid;
  private String writerUuid;
  private TestKit writer;
  private TestKit receiver;

  /** @param journalPluginId the plugin's configuration path, as persistent actors name it */
  protected JournalContractTest(String journalPluginId) {
    this.journalPluginId = journalPluginId;
  }

  /** The actor system's configuration: the plugin's and its database's, started once for the class. */
  protected abstract Config journalConfig(Path dataDir);

  /**
   * A node's configuration with its journal's database, as {@code Node.start}
   * derives it from {@code actorkv.db}, the schema migrated by Flyway: H2 in
   * {@code dataDir} when {@code dbUrl} is null, else PostgreSQL at {@code dbUrl}.
   */
  static Config nodeJournal(Path dataDir, String dbUrl) {
    Config node = NodeConfig.of(TestNodes.settings(dataDir, dbUrl, List.of()), ConfigFactory.empty());
    ActorKvSettings settings = ActorKvSettings.from(node);
    JournalDatabase database = JournalDatabase.open(settings);
    database.migrate();
    return database.pekkoConfig(settings.dbPoolSize()).withFallback(node);
  }

  @BeforeAll
  void startSystem() {
    system = ActorSystem.create("JournalContract", CONTRACT.withFallback(journalConfig(dataDir)));
    journal = Persistence.get(system).journalFor(journalPluginId, ConfigFactory.empty());
  }

  @AfterAll
  void stopSystem() {
    if (system != null) TestKit.shutdownActorSystem(system, Duration.ofSeconds(30), true);
  }

  @BeforeEach
  void writeFirstFiveEvents() {
    pid = "contract-" + UUID.randomUUID();
    writerUuid = UUID.randomUUID().toString();
    writer = new TestKit(system);
    receiver = new TestKit(system);
    TestKit probe = new TestKit(system);
    journal.tell(new JournalProtocol.WriteMessages(writes(
        new AtomicWrite(list(event(1))), new AtomicWrite(list(event(2))), new AtomicWrite(list(event(3))),
        new AtomicWrite(list(event(4), event(5)))), probe.getRef(), ACTOR_INSTANCE_ID), ActorRef.noSender());
    probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (long i = 1; i <= 5; i++) {
      var written = probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
      assertEvent(written.persistent(), "a-" + i, i, writer.getRef());
      assertEquals(ACTOR_INSTANCE_ID, written.actorInstanceId());
    }
  }

  // TCK: "A journal must replay all messages"
  @Test
  void replaysAllMessages() {
    assertEquals(new Replay(numbers(1, 5), 5), replay(1, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  // TCK: "replay messages using a lower sequence number bound"
  @Test
  void replaysFromALowerSequenceNumberBound() {
    assertEquals(new Replay(numbers(3, 5), 5), replay(3, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  // TCK: "replay messages using an upper sequence number bound"
  @Test
  void replaysUpToAnUpperSequenceNumberBound() {
    assertEquals(new Replay(numbers(1, 3), 5), replay(1, 3, Long.MAX_VALUE));
  }

  // TCK: "replay messages using a count limit"
  @Test
  void replaysNoMoreThanACountLimit() {
    assertEquals(new Replay(numbers(1, 3), 5), replay(1, Long.MAX_VALUE, 3));
  }

  // TCK: "replay messages using a lower and upper sequence number bound"
  @Test
  void replaysBetweenALowerAndAnUpperBound() {
    assertEquals(new Replay(numbers(2, 3), 5), replay(2, 3, Long.MAX_VALUE));
  }

  // TCK: "replay messages using a lower and upper sequence number bound and a count limit"
  @Test
  void replaysBetweenBoundsNoMoreThanACountLimit() {
    assertEquals(new Replay(numbers(2, 3), 5), replay(2, 5, 2));
  }

  // TCK: "replay a single if lower sequence number bound equals upper sequence number bound"
  @Test
  void replaysOneMessageWhenTheBoundsAreEqual() {
    assertEquals(new Replay(numbers(2, 2), 5), replay(2, 2, Long.MAX_VALUE));
  }

  // TCK: "replay a single message if count limit equals 1"
  @Test
  void replaysOneMessageWhenTheCountLimitIsOne() {
    assertEquals(new Replay(numbers(2, 2), 5), replay(2, 4, 1));
  }

  // TCK: "not replay messages if count limit equals 0"
  @Test
  void replaysNothingWhenTheCountLimitIsZero() {
    assertEquals(new Replay(List.of(), 5), replay(2, 4, 0));
  }

  // TCK: "not replay messages if lower sequence number bound is greater than upper sequence number bound"
  @Test
  void replaysNothingWhenTheLowerBoundIsAboveTheUpperBound() {
    assertEquals(new Replay(List.of(), 5), replay(3, 2, Long.MAX_VALUE));
  }

  // TCK: "not replay messages if the persistent actor has not yet written messages"
  @Test
  void replaysNothingOfAPersistenceIdNeverWritten() {
    pid = pid + "-never-written";
    assertEquals(new Replay(List.of(), 0), replay(0, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  // TCK: "not replay permanently deleted messages (range deletion)"
  @Test
  void doesNotReplayMessagesDeletedUpToASequenceNumber() {
    TestKit deleter = new TestKit(system);
    TestKit published = new TestKit(system);
    var delete = new JournalProtocol.DeleteMessagesTo(pid, 3, deleter.getRef());
    system.getEventStream().subscribe(published.getRef(), JournalProtocol.DeleteMessagesTo.class);
    try {
      journal.tell(delete, ActorRef.noSender());
      published.expectMsg(delete);
      deleter.expectMsg(new DeleteMessagesSuccess(3));

      assertEquals(new Replay(numbers(4, 5), 5), replay(1, Long.MAX_VALUE, Long.MAX_VALUE));
      // An absence can only be waited for: the deletion is answered once (the TCK's 200 ms).
      deleter.expectNoMessage(Duration.ofMillis(200));
    } finally {
      system.getEventStream().unsubscribe(published.getRef());
    }
  }

  // TCK: "not reset highestSequenceNr after message deletion"
  @Test
  void keepsTheHighestSequenceNumberAfterADeletion() {
    assertEquals(new Replay(numbers(1, 5), 5), replay(0, Long.MAX_VALUE, Long.MAX_VALUE));
    journal.tell(new JournalProtocol.DeleteMessagesTo(pid, 3, receiver.getRef()), ActorRef.noSender());
    receiver.expectMsg(new DeleteMessagesSuccess(3));
    assertEquals(new Replay(numbers(4, 5), 5), replay(0, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  // TCK: "not reset highestSequenceNr after journal cleanup"
  @Test
  void keepsTheHighestSequenceNumberAfterDeletingEverything() {
    assertEquals(new Replay(numbers(1, 5), 5), replay(0, Long.MAX_VALUE, Long.MAX_VALUE));
    journal.tell(new JournalProtocol.DeleteMessagesTo(pid, Long.MAX_VALUE, receiver.getRef()), ActorRef.noSender());
    receiver.expectMsg(new DeleteMessagesSuccess(Long.MAX_VALUE));
    assertEquals(new Replay(List.of(), 5), replay(0, Long.MAX_VALUE, Long.MAX_VALUE));
  }

  // TCK, optional (supportsRejectingNonSerializableObjects): "reject non-serializable events"
  @Test
  void rejectsAnEventWithoutASerializerAndStoresTheOthersOfTheWrite() {
    Object unserializable = new Object() {
      @Override
      public String toString() {
        return "an event no serializer is bound to";
      }
    };
    TestKit probe = new TestKit(system);
    journal.tell(new JournalProtocol.WriteMessages(writes(
        new AtomicWrite(list(event("b-6", 6, null))), new AtomicWrite(list(event(unserializable, 7, null))),
        new AtomicWrite(list(event("b-8", 8, null)))), probe.getRef(), ACTOR_INSTANCE_ID), ActorRef.noSender());

    probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    assertEvent(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent(), "b-6", 6, null);
    var rejected = probe.expectMsgClass(JournalProtocol.WriteMessageRejected.class);
    assertEvent(rejected.message(), unserializable, 7, null);
    assertNotNull(rejected.cause(), "a rejection names its cause");
    assertEquals(ACTOR_INSTANCE_ID, rejected.actorInstanceId());
    assertEvent(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent(), "b-8", 8, null);
  }

  // Beyond the TCK: the change feed settles a gap by the write times of the rows after it.
  @Test
  void stampsEachEventWithTheTimeItWasWritten() {
    long before = System.currentTimeMillis();
    TestKit probe = new TestKit(system);
    journal.tell(new JournalProtocol.WriteMessages(writes(new AtomicWrite(list(event("b-6", 6, null)))),
        probe.getRef(), ACTOR_INSTANCE_ID), ActorRef.noSender());
    probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
    long after = System.currentTimeMillis();

    requestReplay(6, 6, 1);
    long stamped = receiver.expectMsgClass(JournalProtocol.ReplayedMessage.class).persistent().timestamp();
    assertTrue(before <= stamped && stamped <= after, stamped + " not within [" + before + ", " + after + "]");
    receiver.expectMsg(new JournalProtocol.RecoverySuccess(6));
  }

  // Beyond the TCK: a write that collides with a stored event (a second
  // writer of one id) fails alone; the other writes committed in its batch
  // are stored. The first write holds the writer in its transaction while
  // the next three queue behind it, so they share one batch.
  @Test
  void aWriteThatCollidesFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean held = new AtomicBoolean();
    JournalHooks hooks = JournalHooks.get(system);
    hooks.register((c, events) -> {
      if (held.compareAndSet(false, true)) {
        holding.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while held", e);
        }
      }
    });
    try {
      TestKit probe = new TestKit(system); // every write's actor: one actor's writes share a writer
      String other = pid + "-other";
      String third = pid + "-third";
      journal.tell(new JournalProtocol.WriteMessages(writes(new AtomicWrite(list(event("b-6", 6, null)))),
          probe.getRef(), ACTOR_INSTANCE_ID), ActorRef.noSender());
      assertTrue(holding.await(10, TimeUnit.SECONDS), "the first write reached its transaction");
      for (PersistentRepr write : List.of(event(other, "o-1", 1), event("a-3 again", 3, null), event(third, "t-1", 1))) {
        journal.tell(new JournalProtocol.WriteMessages(writes(new AtomicWrite(list(write))), probe.getRef(),
            ACTOR_INSTANCE_ID), ActorRef.noSender());
      }
      requestReplay(1, Long.MAX_VALUE, Long.MAX_VALUE, pid + "-never"); // answered once the journal took the three
      receiver.expectMsg(new JournalProtocol.RecoverySuccess(0));
      release.countDown();

      probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
      assertEvent(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent(), "b-6", 6, null);
      probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
      assertEquals(other, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent().persistenceId());
      assertEquals(1, probe.expectMsgClass(JournalProtocol.WriteMessagesFailed.class).writeCount());
      var failed = probe.expectMsgClass(JournalProtocol.WriteMessageFailure.class);
      assertEquals("a-3 again", failed.message().payload());
      probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
      assertEquals(third, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent().persistenceId());

      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), replayAll(pid));
      assertEquals(List.of(1L), replayAll(other));
      assertEquals(List.of(1L), replayAll(third));
    } finally {
      release.countDown();
      hooks.register((c, events) -> { });
    }
  }

  // TCK, optional (supportsSerialization): "serialize events"
  @Test
  void storesEventsThroughPekkoSerializationAndReadsThemBack() {
    TestKit probe = new TestKit(system);
    RefEvent refEvent = new RefEvent(probe.getRef());
    journal.tell(new JournalProtocol.WriteMessages(writes(new AtomicWrite(list(event(refEvent, 6, null)))),
        probe.getRef(), ACTOR_INSTANCE_ID), ActorRef.noSender());
    probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    assertEvent(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent(), refEvent, 6, null);

    requestReplay(6, Long.MAX_VALUE, Long.MAX_VALUE);
    assertEvent(receiver.expectMsgClass(JournalProtocol.ReplayedMessage.class).persistent(), refEvent, 6, null);
    long highest = receiver.expectMsgClass(JournalProtocol.RecoverySuccess.class).highestSequenceNr();
    assertTrue(highest >= 6, "highest sequence number " + highest);
  }

  // TCK, optional (supportsMetadata): "return metadata"
  @Test
  void storesAndReplaysAnEventsMetadata() {
    TestKit probe = new TestKit(system);
    RefEvent refEvent = new RefEvent(probe.getRef());
    String metadata = "meta-data";
    journal.tell(new JournalProtocol.WriteMessages(writes(
        new AtomicWrite(list(event(refEvent, 6, null).withMetadata(metadata)))), probe.getRef(), ACTOR_INSTANCE_ID),
        ActorRef.noSender());
    probe.expectMsg(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    PersistentRepr written = probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent();
    assertEvent(written, refEvent, 6, null);
    assertEquals(Option.apply(metadata), written.metadata());

    requestReplay(6, 6, 1);
    PersistentRepr replayed = receiver.expectMsgClass(JournalProtocol.ReplayedMessage.class).persistent();
    assertEvent(replayed, refEvent, 6, null);
    assertEquals(Option.apply(metadata), replayed.metadata());
    receiver.expectMsg(new JournalProtocol.RecoverySuccess(6));
  }

  /** Event {@code sequenceNr} of the fixture: payload "a-N", sent by the writer's probe. */
  private PersistentRepr event(long sequenceNr) {
    return event("a-" + sequenceNr, sequenceNr, writer.getRef());
  }

  private PersistentRepr event(Object payload, long sequenceNr, ActorRef sender) {
    return PersistentRepr.apply(payload, sequenceNr, pid, PersistentRepr.Undefined(), false, sender, writerUuid);
  }

  /** Event {@code sequenceNr} of another persistence id than the test's, with no sender. */
  private PersistentRepr event(String persistenceId, Object payload, long sequenceNr) {
    return PersistentRepr.apply(payload, sequenceNr, persistenceId, PersistentRepr.Undefined(), false, null,
        writerUuid);
  }

  private static scala.collection.immutable.List<PersistentRepr> list(PersistentRepr... events) {
    return CollectionConverters.asScala(List.of(events)).toList();
  }

  private static scala.collection.immutable.List<PersistentEnvelope> writes(AtomicWrite... writes) {
    return CollectionConverters.asScala(List.<PersistentEnvelope>of(writes)).toList();
  }

  private void requestReplay(long fromSequenceNr, long toSequenceNr, long max) {
    requestReplay(fromSequenceNr, toSequenceNr, max, pid);
  }

  private void requestReplay(long fromSequenceNr, long toSequenceNr, long max, String persistenceId) {
    journal.tell(new JournalProtocol.ReplayMessages(fromSequenceNr, toSequenceNr, max, persistenceId,
        receiver.getRef()), ActorRef.noSender());
  }

  /** The sequence numbers of every event stored for {@code persistenceId}, in order. */
  private List<Long> replayAll(String persistenceId) {
    requestReplay(1, Long.MAX_VALUE, Long.MAX_VALUE, persistenceId);
    List<Long> replayed = new ArrayList<>();
    while (true) {
      Object reply = receiver.expectMsgAnyClassOf(JournalProtocol.ReplayedMessage.class,
          JournalProtocol.RecoverySuccess.class);
      if (reply instanceof JournalProtocol.RecoverySuccess) return replayed;
      replayed.add(((JournalProtocol.ReplayedMessage) reply).persistent().sequenceNr());
    }
  }

  /** What a replay of fixture events answered: those replayed, in order, then the highest sequence number stored. */
  record Replay(List<Long> sequenceNrs, long highestSequenceNr) {}

  /** Replays the test's id; each event replayed must be the fixture's as stored: no sender, not deleted. */
  private Replay replay(long fromSequenceNr, long toSequenceNr, long max) {
    requestReplay(fromSequenceNr, toSequenceNr, max);
    List<Long> replayed = new ArrayList<>();
    while (true) {
      Object reply = receiver.expectMsgAnyClassOf(JournalProtocol.ReplayedMessage.class,
          JournalProtocol.RecoverySuccess.class);
      if (reply instanceof JournalProtocol.RecoverySuccess done) return new Replay(replayed, done.highestSequenceNr());
      PersistentRepr event = ((JournalProtocol.ReplayedMessage) reply).persistent();
      assertEvent(event, "a-" + event.sequenceNr(), event.sequenceNr(), null);
      replayed.add(event.sequenceNr());
    }
  }

  private static List<Long> numbers(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** What the TCK compares of an event: all but its timestamp and metadata. */
  private void assertEvent(PersistentRepr actual, Object payload, long sequenceNr, ActorRef sender) {
    assertEquals(payload, actual.payload(), "payload of " + actual);
    assertEquals(sequenceNr, actual.sequenceNr(), "sequence number of " + actual);
    assertEquals(pid, actual.persistenceId(), "persistence id of " + actual);
    assertEquals(PersistentRepr.Undefined(), actual.manifest(), "event adapter manifest of " + actual);
    assertFalse(actual.deleted(), "deleted flag of " + actual);
    assertEquals(sender, actual.sender(), "sender of " + actual);
    assertEquals(writerUuid, actual.writerUuid(), "writer of " + actual);
  }

  /** An event holding an actor reference, which only Pekko serialization with transport information restores. */
  record RefEvent(ActorRef ref) {}

  /**
   * Writes {@link RefEvent} as its reference's serialized path and resolves
   * it back, refusing to run without the system's transport information, as
   * the TCK's test serializer does.
   */
  public static final class RefEventSerializer extends SerializerWithStringManifest {

    private final ExtendedActorSystem system;

    public RefEventSerializer(ExtendedActorSystem system) {
      this.system = system;
    }

    @Override
    public int identifier() {
      return 730_900;
    }

    @Override
    public String manifest(Object o) {
      return "R";
    }

    @Override
    public byte[] toBinary(Object o) {
      requireTransportInformation();
      return Serialization.serializedActorPath(((RefEvent) o).ref()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
      requireTransportInformation();
      if (!manifest.equals("R")) throw new NotSerializableException("unknown manifest " + manifest);
      return new RefEvent(system.provider().resolveActorRef(new String(bytes, StandardCharsets.UTF_8)));
    }

    private void requireTransportInformation() {
      var info = Serialization.getCurrentTransportInformation();
      if (info.system() != system) {
        throw new IllegalStateException("transport information of another system: " + info.system());
      }
      if (!info.address().equals(system.provider().getDefaultAddress())) {
        throw new IllegalStateException("transport information with address " + info.address());
      }
    }
  }
}
