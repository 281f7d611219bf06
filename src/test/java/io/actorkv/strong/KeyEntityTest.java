package io.actorkv.strong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import io.actorkv.store.Expiry;
import io.actorkv.base.Ticker;
import io.actorkv.store.Precondition;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.strong.KeyEvent.ValueDeleted;
import io.actorkv.strong.KeyEvent.ValueExpired;
import io.actorkv.strong.KeyEvent.ValuePut;
import io.actorkv.strong.KeyReply.Deleted;
import io.actorkv.strong.KeyReply.Found;
import io.actorkv.strong.KeyReply.NotFound;
import io.actorkv.strong.KeyReply.PreconditionFailed;
import io.actorkv.strong.KeyReply.Stored;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The key entity as a specification: replies, recorded events and state for
 * each command, against a clock the test moves. The testkit also round-trips
 * every command, event and state through the configured (CBOR) serializer.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(PER_CLASS)
class KeyEntityTest {

  /** The in-memory journal and snapshot store, with the project's own serialization bindings. */
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"));

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final String TEXT = "text/plain";
  private static final String JSON = "application/json";
  private static final String ALICE = "alice";
  private static final String BOB = "bob";
  /** Long in real time, so no expiry timer fires while a test runs unless the test wants it to. */
  private static final Duration TTL = Duration.ofHours(1);

  private final AtomicInteger keys = new AtomicInteger();
  private MutableClock clock;
  private LiveStates live;
  private String entityId;
  private EventSourcedBehaviorTestKit<KeyEntity.Command, KeyEvent, KeyState> entity;

  @BeforeEach
  void freshKey() {
    clock = new MutableClock(START);
    live = new LiveStates(LiveStates.MAX_TOUCH_EVERY);
    entityId = KeyEntity.entityId("default", "some/key-" + keys.incrementAndGet());
    entity = EventSourcedBehaviorTestKit.create(testKit.system(),
        KeyEntity.create(entityId, clock, Ticker.SYSTEM, 100, live));
  }

  // --- reads and plain writes ---

  @Test
  void givenNeverWrittenKey_whenGet_thenNotFoundAtRevision0() {
    CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> result = get();

    assertEquals(new NotFound(0), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(KeyState.EMPTY, result.state());
  }

  @Test
  void givenNeverWrittenKey_whenPut_thenStoredAsCreatedAtRevision1AndValuePutRecordedWithTimePrincipalAndType() {
    var result = put("v1", JSON, null, Precondition.NONE, ALICE);

    assertEquals(new Stored(1, true), result.reply());
    assertEquals(List.of(new ValuePut(bytes("v1"), JSON, null, ALICE, START)), unchained(result.events()));
    assertEquals(new KeyState(1, new StoredValue(bytes("v1"), JSON, null, START)), unchained(result.state()));
  }

  @Test
  void givenValue_whenPutAgain_thenReplacedAtRevision2AndNotCreated() {
    put("v1");
    clock.advance(Duration.ofSeconds(5));

    var result = put("v2", JSON, null, Precondition.NONE, BOB);

    assertEquals(new Stored(2, false), result.reply());
    assertEquals(List.of(new ValuePut(bytes("v2"), JSON, null, BOB, START.plusSeconds(5))),
        unchained(result.events()));
  }

  @Test
  void givenValue_whenGet_thenFoundWithBytesContentTypeAndModificationTime() {
    put("hello", JSON, null, Precondition.NONE, ALICE);
    clock.advance(Duration.ofMinutes(1));

    var result = get();

    assertEquals(new Found(1, new StoredValue(bytes("hello"), JSON, null, START)), result.reply());
    Found found = (Found) result.reply();
    assertEquals("hello", new String(found.value().bytes(), UTF_8));
    assertEquals(JSON, found.value().contentType());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenValue_whenDelete_thenDeletedAtRevision2AndValueDeletedRecordedAndGetAnswersNotFound() {
    put("v1");
    clock.advance(Duration.ofSeconds(1));

    var result = delete(Precondition.NONE, BOB);

    assertEquals(new Deleted(2), result.reply());
    assertEquals(List.of(new ValueDeleted(BOB, START.plusSeconds(1))), unchained(result.events()));
    assertEquals(new KeyState(2, null), unchained(result.state()));
    assertEquals(new NotFound(2), get().reply());
  }

  @Test
  void givenNeverWrittenKey_whenDelete_thenNotFoundAndNothingRecorded() {
    var result = delete(Precondition.NONE, ALICE);

    assertEquals(new NotFound(0), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(KeyState.EMPTY, entity.getState());
  }

  @Test
  void givenDeletedKey_whenDeleteAgain_thenNotFoundAtTheDeleteRevisionAndNothingRecorded() {
    put("v1");
    delete(Precondition.NONE, ALICE);

    var result = delete(Precondition.NONE, ALICE);

    assertEquals(new NotFound(2), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenDeletedKey_whenPut_thenCreatedAgainAtRevision3() {
    put("v1");
    delete(Precondition.NONE, ALICE);

    assertEquals(new Stored(3, true), put("v2").reply());
  }

  // --- preconditions on put ---

  @Test
  void givenValueAtRevision1_whenPutIfRevision1_thenStoredAtRevision2() {
    put("v1");

    var result = put("v2", TEXT, null, new Precondition.IfRevision(1), ALICE);

    assertEquals(new Stored(2, false), result.reply());
    assertEquals(1, result.events().size());
  }

  @Test
  void givenValueAtRevision2_whenPutIfRevision1_thenPreconditionFailedAndNothingRecorded() {
    put("v1");
    put("v2");
    KeyState before = entity.getState();

    var result = put("v3", TEXT, null, new Precondition.IfRevision(1), ALICE);

    assertEquals(new PreconditionFailed(2, true), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(before, entity.getState());
  }

  @Test
  void givenKeyDeletedAtRevision2_whenPutIfRevision2_thenPreconditionFailedBecauseTheKeyDoesNotExist() {
    put("v1");
    delete(Precondition.NONE, ALICE);

    var result = put("v2", TEXT, null, new Precondition.IfRevision(2), ALICE);

    assertEquals(new PreconditionFailed(2, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenNeverWrittenKey_whenPutIfRevision0_thenPreconditionFailed() {
    var result = put("v1", TEXT, null, new Precondition.IfRevision(0), ALICE);

    assertEquals(new PreconditionFailed(0, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenNeverWrittenKey_whenPutIfPresent_thenPreconditionFailedAndNothingRecorded() {
    var result = put("v1", TEXT, null, new Precondition.IfPresent(), ALICE);

    assertEquals(new PreconditionFailed(0, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenValue_whenPutIfPresent_thenStored() {
    put("v1");

    var result = put("v2", TEXT, null, new Precondition.IfPresent(), ALICE);

    assertEquals(new Stored(2, false), result.reply());
    assertEquals(1, result.events().size());
  }

  @Test
  void givenValue_whenPutIfAbsent_thenPreconditionFailedAndNothingRecorded() {
    put("v1");

    var result = put("v2", TEXT, null, new Precondition.IfAbsent(), ALICE);

    assertEquals(new PreconditionFailed(1, true), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenNeverWrittenKey_whenPutIfAbsent_thenStoredAsCreated() {
    var result = put("v1", TEXT, null, new Precondition.IfAbsent(), ALICE);

    assertEquals(new Stored(1, true), result.reply());
    assertEquals(List.of(new ValuePut(bytes("v1"), TEXT, null, ALICE, START)), unchained(result.events()));
  }

  @Test
  void givenDeletedKey_whenPutIfAbsent_thenStoredAsCreated() {
    put("v1");
    delete(Precondition.NONE, ALICE);

    var result = put("v2", TEXT, null, new Precondition.IfAbsent(), ALICE);

    assertEquals(new Stored(3, true), result.reply());
  }

  // --- preconditions on delete ---

  @Test
  void givenValueAtRevision1_whenDeleteIfRevision1_thenDeleted() {
    put("v1");

    var result = delete(new Precondition.IfRevision(1), ALICE);

    assertEquals(new Deleted(2), result.reply());
    assertEquals(List.of(new ValueDeleted(ALICE, START)), unchained(result.events()));
  }

  @Test
  void givenValueAtRevision1_whenDeleteIfRevision7_thenPreconditionFailedAndValueKept() {
    put("v1");

    var result = delete(new Precondition.IfRevision(7), ALICE);

    assertEquals(new PreconditionFailed(1, true), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(new Found(1, new StoredValue(bytes("v1"), TEXT, null, START)), get().reply());
  }

  @Test
  void givenDeletedKey_whenDeleteIfRevisionOfTheDelete_thenPreconditionFailed() {
    put("v1");
    delete(Precondition.NONE, ALICE);

    var result = delete(new Precondition.IfRevision(2), ALICE);

    assertEquals(new PreconditionFailed(2, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenNeverWrittenKey_whenDeleteIfPresent_thenPreconditionFailed() {
    var result = delete(new Precondition.IfPresent(), ALICE);

    assertEquals(new PreconditionFailed(0, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenValue_whenDeleteIfPresent_thenDeleted() {
    put("v1");

    assertEquals(new Deleted(2), delete(new Precondition.IfPresent(), ALICE).reply());
  }

  @Test
  void givenValue_whenDeleteIfAbsent_thenPreconditionFailedAndValueKept() {
    put("v1");

    var result = delete(new Precondition.IfAbsent(), ALICE);

    assertEquals(new PreconditionFailed(1, true), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenNeverWrittenKey_whenDeleteIfAbsent_thenNotFoundAndNothingRecorded() {
    var result = delete(new Precondition.IfAbsent(), ALICE);

    assertEquals(new NotFound(0), result.reply());
    assertTrue(result.hasNoEvents());
  }

  // --- time to live ---

  @Test
  void givenPutWithTtl_thenValuePutCarriesExpiryAndGetBeforeExpiryFindsIt() {
    var put = put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.minusMillis(1));

    var result = get();

    Expiry expiresAt = Expiry.at(START.plus(TTL));
    assertEquals(List.of(new ValuePut(bytes("v1"), TEXT, expiresAt, ALICE, START)), unchained(put.events()));
    assertEquals(new Found(1, new StoredValue(bytes("v1"), TEXT, expiresAt, START)), result.reply());
  }

  @Test
  void givenValueWithTtl_whenClockReachesExpiry_thenGetAnswersNotFoundBeforeAnyExpireEvent() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL);

    var result = get();

    assertEquals(new NotFound(1), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenExpiredValue_whenPutIfAbsent_thenStoredAsCreated() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(1));

    var result = put("v2", TEXT, null, new Precondition.IfAbsent(), BOB);

    assertEquals(new Stored(2, true), result.reply());
    assertEquals(new Found(2, new StoredValue(bytes("v2"), TEXT, null, START.plus(TTL).plusSeconds(1))),
        get().reply());
  }

  @Test
  void givenExpiredValue_whenPutWithoutPrecondition_thenStoredAsCreated() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(1));

    assertEquals(new Stored(2, true), put("v2").reply());
  }

  @Test
  void givenExpiredValue_whenPutIfPresent_thenPreconditionFailedAsAbsent() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(1));

    var result = put("v2", TEXT, null, new Precondition.IfPresent(), ALICE);

    assertEquals(new PreconditionFailed(1, false), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenExpiredValue_whenDelete_thenNotFoundAndNothingRecorded() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(1));

    var result = delete(Precondition.NONE, ALICE);

    assertEquals(new NotFound(1), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void givenValueWithTtl_whenExpiryDueBeforeExpiry_thenNothingRecordedAndValueStillFound() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.minusSeconds(1));

    CommandResult<KeyEntity.Command, KeyEvent, KeyState> result = entity.runCommand(new KeyEntity.ExpiryDue());

    assertTrue(result.hasNoEvents());
    assertEquals(1, result.state().revision());
    assertTrue(get().reply() instanceof Found);
  }

  @Test
  void givenExpiredValue_whenExpiryDue_thenValueExpiredRecordedOnceAtRevision2() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(3));
    Instant expiredAt = clock.instant();

    var first = entity.runCommand(new KeyEntity.ExpiryDue());
    clock.advance(Duration.ofSeconds(1));
    var second = entity.runCommand(new KeyEntity.ExpiryDue());

    assertEquals(List.of(new ValueExpired(expiredAt)), unchained(first.events()));
    assertEquals(new KeyState(2, null), unchained(first.state()));
    assertTrue(second.hasNoEvents());
    assertEquals(new NotFound(2), get().reply());
  }

  @Test
  void givenValueWithTtlReplacedByPutWithoutTtl_whenOldExpiryPasses_thenValueNeverExpires() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    put("v2", TEXT, null, Precondition.NONE, ALICE);
    clock.advance(TTL.multipliedBy(1000));

    var expiry = entity.runCommand(new KeyEntity.ExpiryDue());

    assertTrue(expiry.hasNoEvents());
    assertEquals(new Found(2, new StoredValue(bytes("v2"), TEXT, null, START)), get().reply());
  }

  @Test
  void givenDeletedValueThatHadTtl_whenExpiryDue_thenNothingRecorded() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    delete(Precondition.NONE, ALICE);
    clock.advance(TTL.plusSeconds(1));

    assertTrue(entity.runCommand(new KeyEntity.ExpiryDue()).hasNoEvents());
    assertEquals(new KeyState(2, null), unchained(entity.getState()));
  }

  @Test
  void givenValueWithShortTtl_whenClockPassesExpiry_thenEntitysOwnTimerRecordsValueExpired() {
    // The timer runs in real time and finds the value live until the test clock moves.
    put("v1", TEXT, Duration.ofMillis(1), Precondition.NONE, ALICE);
    clock.advance(Duration.ofSeconds(1));

    testKit.<Object>createTestProbe().awaitAssert(Duration.ofSeconds(5),
        () -> {
          assertEquals(new KeyState(2, null), unchained(entity.getState()));
          return null;
        });
    assertEquals(new ValueExpired(START.plusSeconds(1)),
        unchained((KeyEvent) entity.persistenceTestKit().persistedInStorage(persistenceId()).get(1)));
  }

  @Test
  void givenExpiredValueWithoutExpireEvent_whenEntityRecovers_thenItRecordsValueExpiredByItself() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL.multipliedBy(2));

    entity.restart();

    testKit.<Object>createTestProbe().awaitAssert(Duration.ofSeconds(5),
        () -> {
          assertEquals(new KeyState(2, null), unchained(entity.getState()));
          return null;
        });
    assertEquals(new ValueExpired(START.plus(TTL.multipliedBy(2))),
        unchained((KeyEvent) entity.persistenceTestKit().persistedInStorage(persistenceId()).get(1)));
  }

  @Test
  void givenPutWithTtlBeyondTheSchedulersLongestTimer_thenStoredAndTheKeyStaysReadableAndWritable() {
    // Pekko's scheduler refuses delays over about 248 days; the API accepts TTLs of up to 100 years.
    Duration century = Duration.ofDays(36500);
    StoredValue stored = new StoredValue(bytes("v1"), TEXT, Expiry.at(START.plus(century)), START);

    assertEquals(new Stored(1, true), put("v1", TEXT, century, Precondition.NONE, ALICE).reply());
    assertEquals(new Found(1, stored), get().reply());

    entity.restart();
    assertEquals(new Found(1, stored), get().reply());
    assertEquals(new Stored(2, false), put("v2").reply());
  }

  @Test
  void givenPutDeletePutAndExpiry_thenEveryEventAdvancesTheRevision() {
    assertEquals(new Stored(1, true), put("v1").reply());
    assertEquals(new Deleted(2), delete(Precondition.NONE, ALICE).reply());
    assertEquals(new Stored(3, true), put("v2", TEXT, TTL, Precondition.NONE, ALICE).reply());
    clock.advance(TTL);
    assertEquals(1, entity.runCommand(new KeyEntity.ExpiryDue()).events().size());
    assertEquals(new NotFound(4), get().reply());

    assertEquals(new Stored(5, true), put("v3").reply());
    assertEquals(5, entity.getState().revision());
  }

  // --- the published state (LiveStates) ---

  @Test
  void givenRecoveredEntity_thenItsStateIsPublishedBeforeAnyWrite() {
    assertEquals(new NotFound(0), get().reply());

    assertEquals(KeyState.EMPTY, published());
  }

  @Test
  void givenPutThenDeleteThenIncrement_thenEachAcknowledgedStateIsPublished() {
    var put = put("v1");
    assertEquals(put.state(), published());

    var deleted = delete(Precondition.NONE, ALICE);
    assertEquals(deleted.state(), published());

    var counted = entity.<KeyReply>runCommand(replyTo -> new KeyEntity.Increment(5, ALICE, replyTo));
    assertEquals(new KeyReply.Counted(3, 5), counted.reply());
    assertEquals(counted.state(), published());
  }

  @Test
  void givenValueWithTtl_whenExpiryRecorded_thenThePublishedStateHasNoValue() {
    put("v1", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL);

    entity.runCommand(new KeyEntity.ExpiryDue());

    assertEquals(new KeyState(2, null), unchained(published()));
  }

  @Test
  void givenTouch_thenNothingIsRecordedOrAnswered() {
    put("v1");

    CommandResult<KeyEntity.Command, KeyEvent, KeyState> touched = entity.runCommand(new KeyEntity.Touch());

    assertTrue(touched.hasNoEvents());
    assertEquals(1, touched.state().revision());
  }

  @Test
  void givenAnUnknownRetention_whenCommandsArriveFirst_thenTheyWaitAndAreAnsweredOnceItIsKnown() {
    String id = KeyEntity.entityId("later", "k");
    var retention = new CompletableFuture<Integer>();
    var asked = new AtomicReference<String>();
    HistoryRetention lookup = new HistoryRetention() {
      @Override
      public OptionalInt known(String storageName) {
        return OptionalInt.empty();
      }

      @Override
      public CompletionStage<Integer> find(String storageName) {
        asked.set(storageName);
        return retention;
      }
    };
    var entityRef = testKit.spawn(KeyEntity.starting(id, clock, Ticker.SYSTEM, 100, live, lookup,
        IdempotencyLimits.NONE, ValueSeal.OFF));
    var replies = testKit.<KeyReply>createTestProbe();
    putTo(entityRef, "v1", replies);
    replies.expectNoMessage(Duration.ofMillis(200));

    retention.complete(3);

    assertEquals(new Stored(1, true), replies.receiveMessage());
    assertEquals("later", asked.get(), "the namespace is looked up by the name its keys are stored under");
  }

    @Test
  void givenPublishedState_whenTheEntityIsPassivated_thenItIsWithdrawnBeforeTheEntityStops() {
    // Not the testkit's entity: sharding passivates a live actor, which the testkit's cannot be.
    String id = entityId + "-spawned";
    var entityRef = testKit.spawn(KeyEntity.create(id, clock, Ticker.SYSTEM, 100, live));
    var replies = testKit.<KeyReply>createTestProbe();
    putTo(entityRef, "v1", replies);
    assertEquals(new Stored(1, true), replies.receiveMessage());
    assertEquals(1, published(id).revision());

    entityRef.tell(new KeyEntity.Passivate());
    replies.expectTerminated(entityRef);

    assertNull(published(id), "a stopped entity's state must not answer reads");
  }

  @Test
  void givenAKey_whenAReadOnlyTransactionPeeks_thenItTakesNothingAndWaitsWhileTheKeyIsHeld() {
    var replies = testKit.<KeyReply>createTestProbe();
    var entityRef = keyAtRevision1("-peeked", new KeyEntity.Waits(Duration.ofMinutes(10), 10), replies);
    List<TxnOp> get = List.of(TxnOp.get(ALICE));

    entityRef.tell(new KeyEntity.Peek(get, List.of(), replies.getRef()));
    KeyReply.Prepared peeked = (KeyReply.Prepared) replies.receiveMessage();
    assertEquals(1, peeked.revision());
    assertEquals("found", peeked.success().get(0).kind());

    // Not taken: a transaction takes it next, and a peek now sees only what that one leaves.
    TxnOp put = new TxnOp("put", bytes("v2"), TEXT, null, 0, ALICE);
    entityRef.tell(new KeyEntity.Prepare("txn-after-peek", List.of(put), List.of(), replies.getRef()));
    assertEquals(KeyReply.Prepared.class, replies.receiveMessage().getClass());
    var waiting = testKit.<KeyReply>createTestProbe();
    entityRef.tell(new KeyEntity.Peek(get, List.of(), waiting.getRef()));
    entityRef.tell(new KeyEntity.Finish("txn-after-peek", "success", replies.getRef()));
    assertEquals(KeyReply.Finished.class, replies.receiveMessage(Duration.ofSeconds(10)).getClass());
    assertEquals(2, ((KeyReply.Prepared) waiting.receiveMessage(Duration.ofSeconds(10))).revision());
  }

  @Test
  void givenAHeldKey_whenMoreRequestsCameThanMayWait_thenTheRestAnswerLockedAtOnce() {
    // A wait far longer than the probes', so only the cap can answer the fourth request in time.
    var replies = testKit.<KeyReply>createTestProbe();
    var entityRef = keyAtRevision1("-crowded", new KeyEntity.Waits(Duration.ofMinutes(10), 3), replies);
    String txn = "txn-crowded";
    entityRef.tell(new KeyEntity.Prepare(txn, List.of(), List.of(), replies.getRef()));
    assertEquals(KeyReply.Prepared.class, replies.receiveMessage().getClass());

    var waiting = testKit.<KeyReply>createTestProbe();
    for (int i = 0; i < 3; i++) entityRef.tell(new KeyEntity.Get(waiting.getRef()));
    var crowded = testKit.<KeyReply>createTestProbe();
    entityRef.tell(new KeyEntity.Get(crowded.getRef()));
    assertEquals(new KeyReply.Locked(600), crowded.receiveMessage(Duration.ofSeconds(10)));

    entityRef.tell(new KeyEntity.Finish(txn, "abort", replies.getRef()));
    assertEquals(KeyReply.Finished.class, replies.receiveMessage(Duration.ofSeconds(10)).getClass());
    for (int i = 0; i < 3; i++) {
      assertEquals(1, ((KeyReply.Found) waiting.receiveMessage(Duration.ofSeconds(10))).revision());
    }
  }

  @Test
  void givenPublishedState_whenAWriteFailsInTheJournal_thenTheStateIsWithdrawnUntilTheEntityHasRecovered() {
    List<String> calls = new CopyOnWriteArrayList<>();
    LiveStates recording = new LiveStates(LiveStates.MAX_TOUCH_EVERY) {
      @Override
      void publish(String id, KeyState state, long nanoTime) {
        calls.add("publish " + state.revision());
        super.publish(id, state, nanoTime);
      }

      @Override
      void withdraw(String id) {
        calls.add("withdraw");
        super.withdraw(id);
      }
    };
    String id = entityId + "-failing";
    var entityRef = testKit.spawn(KeyEntity.create(id, clock, Ticker.SYSTEM, 100, recording));
    var replies = testKit.<KeyReply>createTestProbe();
    putTo(entityRef, "v1", replies);
    assertEquals(new Stored(1, true), replies.receiveMessage());

    entity.persistenceTestKit().failNextPersisted(persistenceId(id));
    putTo(entityRef, "v2", replies);

    // The failed write's client is told at once (the test journal names no cause: it may be stored);
    // restarted with backoff: withdrawn at once, published again when recovered.
    var failed = replies.receiveMessage();
    assertTrue(failed instanceof KeyReply.NotStored n && n.mayBeStored(), failed.toString());
    replies.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(List.of("publish 0", "publish 1", "withdraw", "publish 1"), calls);
      return null;
    });
    putTo(entityRef, "v3", replies);
    assertEquals(new Stored(2, false), replies.receiveMessage());
    assertEquals(2, published(recording, id).revision());
  }

  @Test
  void givenPublishedState_whenRestarted_thenTheRecoveredStateIsPublished() {
    put("v1");
    put("v2");

    entity.restart();
    // A restarted key publishes once its lock journal has recovered; commands wait for that too.
    get();

    assertEquals(entity.getState(), published());
    assertEquals(2, published().revision());
  }

  // --- recovery ---

  @Test
  void givenHistoryOfPutsDeleteAndExpiry_whenRestarted_thenStateIsRecoveredUnchanged() {
    put("v1");
    put("v2", JSON, null, Precondition.NONE, BOB);
    delete(Precondition.NONE, ALICE);
    put("v3", TEXT, TTL, Precondition.NONE, ALICE);
    clock.advance(TTL);
    entity.runCommand(new KeyEntity.ExpiryDue());
    clock.advance(Duration.ofSeconds(1));
    put("v4", JSON, TTL, Precondition.NONE, BOB);
    KeyState before = entity.getState();

    var restarted = entity.restart();

    assertEquals(before, restarted.state());
    assertEquals(before, entity.getState());
    assertEquals(6, before.revision());
    assertEquals(new Found(6, before.value()), get().reply());
  }

  @Test
  void givenSnapshotEvery3_when7WritesAndRestart_thenRecoveredFromSnapshotPlusReplayWithLatestValueAtRevision7() {
    var snapshotting = EventSourcedBehaviorTestKit.<KeyEntity.Command, KeyEvent, KeyState>create(
        testKit.system(), KeyEntity.create(entityId, clock, Ticker.SYSTEM, 3, live));
    for (int i = 1; i <= 7; i++) {
      clock.advance(Duration.ofSeconds(1));
      int n = i;
      assertEquals(new Stored(i, i == 1),
          snapshotting.<KeyReply>runCommand(
              r -> new KeyEntity.Put(bytes("v" + n), TEXT, null, Precondition.NONE, ALICE, r)).reply());
    }
    KeyState before = snapshotting.getState();

    var restarted = snapshotting.restart();

    assertEquals(before, restarted.state());
    assertEquals(before, snapshotting.getState());
    StoredValue latest = new StoredValue(bytes("v7"), TEXT, null, START.plusSeconds(7));
    assertEquals(new Found(7, latest),
        snapshotting.<KeyReply>runCommand(KeyEntity.Get::new).reply());
    SnapshotTestKit snapshots = snapshotting.snapshotTestKit().orElseThrow();
    List<Long> snapshotSeqNrs = snapshots.persistedInStorage(persistenceId()).stream()
        .map(p -> ((SnapshotMeta) p.first()).sequenceNr())
        .toList();
    assertTrue(snapshotSeqNrs.contains(6L), "a snapshot at revision 6, got " + snapshotSeqNrs);
    assertFalse(snapshotSeqNrs.contains(7L), "no snapshot at revision 7, got " + snapshotSeqNrs);
  }

  // --- KeyState, without the actor ---

  @Test
  void keyState_givenEmpty_whenValuePutApplied_thenRevision1WithTheStoredValue() {
    Expiry expiresAt = Expiry.at(START.plus(TTL));

    KeyState next = KeyState.EMPTY.apply(new ValuePut(bytes("v"), JSON, expiresAt, ALICE, START),
        IdempotencyLimits.NONE);

    assertEquals(new KeyState(1, new StoredValue(bytes("v"), JSON, expiresAt, START)), next);
  }

  @Test
  void keyState_givenValue_whenDeletedOrExpiredApplied_thenNextRevisionWithoutValue() {
    KeyState withValue = new KeyState(4, new StoredValue(bytes("v"), TEXT, null, START));

    var none = IdempotencyLimits.NONE;
    assertEquals(new KeyState(5, null), withValue.apply(new ValueDeleted(ALICE, START), none));
    assertEquals(new KeyState(5, null), withValue.apply(new ValueExpired(START), none));
    assertEquals(new KeyState(6, null),
        withValue.apply(new ValueExpired(START), none).apply(new ValueDeleted(BOB, START), none));
  }

  @Test
  void keyState_givenValueWithExpiry_thenItExistsStrictlyBeforeTheExpiryInstant() {
    Instant expiresAt = START.plus(TTL);
    KeyState state = new KeyState(1, new StoredValue(bytes("v"), TEXT, Expiry.at(expiresAt), START));

    assertTrue(state.existsAt(expiresAt.minusNanos(1)));
    assertFalse(state.existsAt(expiresAt));
    assertFalse(KeyState.EMPTY.existsAt(START));
    assertTrue(new KeyState(1, new StoredValue(bytes("v"), TEXT, null, START)).existsAt(Instant.MAX));
  }

  // --- helpers ---

  /** Events as the entity makes them before their link of the hash chain (ChainHashTest checks the links). */
  private static List<KeyEvent> unchained(List<KeyEvent> events) {
    return events.stream().map(KeyEntityTest::unchained).toList();
  }

  private static KeyEvent unchained(KeyEvent event) {
    return event.withHash(null);
  }

  private static KeyState unchained(KeyState state) {
    return new KeyState(state.revision(), state.value());
  }

  /** The state the entity published for reads on this node, touching nothing. */
  private KeyState published() {
    return published(entityId);
  }

  private KeyState published(String id) {
    return published(live, id);
  }

  private static KeyState published(LiveStates states, String id) {
    return states.read(id, System.nanoTime(), touched -> {});
  }

  /** A key spawned by the test whose requests wait for its lock as {@code waits} says, written once. */
  private ActorRef<KeyEntity.Command> keyAtRevision1(String suffix, KeyEntity.Waits waits,
                                                     TestProbe<KeyReply> replies) {
    var entityRef = testKit.spawn(KeyEntity.create(entityId + suffix, clock, Ticker.SYSTEM, live, waits));
    putTo(entityRef, "v1", replies);
    assertEquals(new Stored(1, true), replies.receiveMessage());
    return entityRef;
  }

  /** A plain put sent to an entity spawned by the test rather than by the testkit. */
  private static void putTo(ActorRef<KeyEntity.Command> entityRef, String value, TestProbe<KeyReply> replies) {
    entityRef.tell(new KeyEntity.Put(bytes(value), TEXT, null, Precondition.NONE, ALICE, replies.getRef()));
  }

  private String persistenceId() {
    return persistenceId(entityId);
  }

  private static String persistenceId(String id) {
    return KeyEntity.TYPE_KEY.name() + KeyEntity.SEPARATOR + id;
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> get() {
    return entity.runCommand(KeyEntity.Get::new);
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> put(String value) {
    return put(value, TEXT, null, Precondition.NONE, ALICE);
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> put(
      String value, String contentType, Duration ttl, Precondition precondition, String principal) {
    return entity.runCommand(
        replyTo -> new KeyEntity.Put(bytes(value), contentType, ttl, precondition, principal, replyTo));
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> delete(
      Precondition precondition, String principal) {
    return entity.runCommand(replyTo -> new KeyEntity.Delete(precondition, principal, replyTo));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** A clock that stands still until the test moves it; read from the entity's thread. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the test clock is UTC only");
    }
  }
}
