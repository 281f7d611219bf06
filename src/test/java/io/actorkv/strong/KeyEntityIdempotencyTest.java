package io.actorkv.strong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.base.Ticker;
import io.actorkv.store.Precondition;
import io.actorkv.strong.KeyReply.Counted;
import io.actorkv.strong.KeyReply.Deleted;
import io.actorkv.strong.KeyReply.IdempotencyKeyReused;
import io.actorkv.strong.KeyReply.PreconditionFailed;
import io.actorkv.strong.KeyReply.Stored;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A key's entity and the idempotency keys of its writes: the first outcome
 * is recorded in the write's event and the key's state (and snapshot), and
 * a repeat gets it again without a new event, also after a restart from
 * the journal or from a snapshot whose events retention deleted.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(PER_CLASS)
class KeyEntityIdempotencyTest {

  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"));

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  private static final Instant START = Instant.parse("2026-12-06T00:00:00Z");
  private static final Duration WINDOW = Duration.ofHours(24);
  private static final String ALICE = "alice";
  private static final IdempotencyLimits LIMITS = new IdempotencyLimits(WINDOW, 1000);

  private final AtomicInteger keys = new AtomicInteger();
  private KeyEntityTest.MutableClock clock;
  private String entityId;
  private EventSourcedBehaviorTestKit<KeyEntity.Command, KeyEvent, KeyState> entity;

  @BeforeEach
  void freshKey() {
    clock = new KeyEntityTest.MutableClock(START);
    entityId = KeyEntity.entityId("default", "idempotent-" + keys.incrementAndGet());
    entity = entity(100, 0, LIMITS);
  }

  private EventSourcedBehaviorTestKit<KeyEntity.Command, KeyEvent, KeyState> entity(
      int snapshotEvery, int keep, IdempotencyLimits limits) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), KeyEntity.create(entityId, clock, Ticker.SYSTEM,
        snapshotEvery, new LiveStates(LiveStates.MAX_TOUCH_EVERY), keep, limits, ValueSeal.OFF));
  }

  @Test
  void givenAPutWithAKey_whenRepeated_thenTheFirstOutcomeAndNoSecondEvent() {
    var first = put("k1", "fp-a", "v1");
    put(null, null, "v2");
    clock.advance(Duration.ofMinutes(5));

    var repeat = put("k1", "fp-a", "v1");

    assertEquals(new Stored(1, true), first.reply());
    assertEquals(new Idempotency("k1", "fp-a"), first.event().idempotency());
    assertEquals(new Stored(1, true), repeat.reply());
    assertTrue(repeat.hasNoEvents());
    assertEquals(2, entity.getState().revision());
    assertEquals("v2", new String(entity.getState().value().bytes(), UTF_8));
  }

  @Test
  void givenIncrementsWithKeys_whenOneIsRepeated_thenItAnswersItsOwnCountAndCountsOnce() {
    increment("i1", 5);
    increment("i2", 7);

    var repeat = increment("i1", 5);

    assertEquals(new Counted(1, 5), repeat.reply());
    assertTrue(repeat.hasNoEvents());
    assertEquals(12, entity.getState().value().count());
  }

  @Test
  void givenADeleteWithAKey_whenRepeatedAfterTheKeyWasWrittenAgain_thenTheDeleteIsNotAppliedAgain() {
    put(null, null, "v1");
    var first = delete("d1");
    put(null, null, "v2");

    var repeat = delete("d1");

    assertEquals(new Deleted(2), first.reply());
    assertEquals(new Deleted(2), repeat.reply());
    assertTrue(repeat.hasNoEvents());
    assertEquals("v2", new String(entity.getState().value().bytes(), UTF_8));
  }

  @Test
  void givenAKeyUsed_whenSentWithAnotherRequest_thenRefusedAndNothingWritten() {
    put("k1", "fp-a", "v1");

    var other = put("k1", "fp-b", "v9");

    assertEquals(new IdempotencyKeyReused(), other.reply());
    assertTrue(other.hasNoEvents());
    assertEquals(1, entity.getState().revision());
  }

  @Test
  void givenAKeyUsedByAnotherPrincipal_thenItIsANewWriteAndEachRepeatGetsItsOwnOutcome() {
    put("k1", "fp-alice", "v1");

    var bobs = entity.<KeyReply>runCommand(r -> new KeyEntity.Put(bytes("v2"), "text/plain", null, Precondition.NONE,
        "bob", new Idempotency("k1", "fp-bob"), r));
    var bobsRepeat = entity.<KeyReply>runCommand(r -> new KeyEntity.Put(bytes("v2"), "text/plain", null,
        Precondition.NONE, "bob", new Idempotency("k1", "fp-bob"), r));

    assertEquals(new Stored(2, false), bobs.reply());
    assertEquals(new Stored(2, false), bobsRepeat.reply());
    assertTrue(bobsRepeat.hasNoEvents());
    assertEquals(new Stored(1, true), put("k1", "fp-alice", "v1").reply());
    assertEquals(new IdempotencyKeyReused(), put("k1", "fp-other", "v3").reply());
    assertEquals(List.of(ALICE, "bob"),
        entity.restart().state().recent().stream().map(KeyState.Remembered::principal).toList());
  }

  @Test
  void givenASnapshotThatNamesNoPrincipal_thenItsKeysHoldForEveryPrincipal() {
    KeyState older = new KeyState(1, null, null,
        List.of(new KeyState.Remembered("k1", "fp-a", START, "kv.delete", 1, false, 0, null)));

    assertEquals(new Deleted(1), older.recall(new Idempotency("k1", "fp-a"), "anyone", START, LIMITS));
    assertEquals(new IdempotencyKeyReused(), older.recall(new Idempotency("k1", "fp-b"), "bob", START, LIMITS));
  }

  @Test
  void givenAFailedPrecondition_thenNothingIsRememberedAndTheRetryIsDecidedAgain() {
    var failed = entity.<KeyReply>runCommand(r -> new KeyEntity.Put(bytes("v1"), "text/plain", null,
        new Precondition.IfPresent(), ALICE, new Idempotency("c1", "fp-c"), r));
    put(null, null, "v0");

    var retry = entity.<KeyReply>runCommand(r -> new KeyEntity.Put(bytes("v1"), "text/plain", null,
        new Precondition.IfPresent(), ALICE, new Idempotency("c1", "fp-c"), r));

    assertEquals(new PreconditionFailed(0, false), failed.reply());
    assertTrue(failed.hasNoEvents());
    assertEquals(new Stored(2, false), retry.reply());
  }

  @Test
  void givenAKeyOlderThanTheWindow_whenRepeated_thenItIsANewWrite() {
    put("k1", "fp-a", "v1");
    clock.advance(WINDOW);

    var late = put("k1", "fp-a", "v1");

    assertEquals(new Stored(2, false), late.reply());
    assertEquals(1, late.events().size());
  }

  @Test
  void givenMoreKeysThanTheBound_thenTheOldestAreForgotten() {
    entity = entity(100, 0, new IdempotencyLimits(WINDOW, 2));
    increment("i1", 1);
    increment("i2", 1);
    increment("i3", 1);

    assertEquals(List.of("i2", "i3"), entity.getState().recent().stream().map(KeyState.Remembered::key).toList());
    assertEquals(new Counted(4, 4), increment("i1", 1).reply());
    assertEquals(new Counted(3, 3), increment("i3", 1).reply());
  }

  @Test
  void givenKeysRemembered_whenRestartedFromTheJournal_thenRepeatsStillGetTheFirstOutcome() {
    put("k1", "fp-a", "v1");
    increment(null, 0); // a value is there: the increment is refused and remembered by nobody
    put("k2", "fp-b", "v2");
    KeyState before = entity.getState();

    var restarted = entity.restart();

    assertEquals(before, restarted.state());
    assertEquals(new Stored(1, true), put("k1", "fp-a", "v1").reply());
    assertEquals(new Stored(2, false), put("k2", "fp-b", "v2").reply());
  }

  @Test
  void givenRetentionDeletedTheEvents_whenRestartedFromTheSnapshot_thenItsKeysAreStillRemembered() {
    entity = entity(3, 3, new IdempotencyLimits(WINDOW, 1000));
    put("k1", "fp-a", "v1");
    for (int i = 2; i <= 9; i++) put(null, null, "v" + i);

    entity.restart();

    var repeat = put("k1", "fp-a", "v1");
    assertEquals(new Stored(1, true), repeat.reply());
    assertTrue(repeat.hasNoEvents());
    assertEquals(9, entity.getState().revision());
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> put(String key, String fingerprint,
                                                                                     String value) {
    clock.advance(Duration.ofSeconds(1));
    Idempotency idempotency = key == null ? null : new Idempotency(key, fingerprint);
    return entity.runCommand(r -> new KeyEntity.Put(bytes(value), "text/plain", null, Precondition.NONE, ALICE,
        idempotency, r));
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> increment(String key, long by) {
    clock.advance(Duration.ofSeconds(1));
    Idempotency idempotency = key == null ? null : new Idempotency(key, "fp-" + key);
    return entity.runCommand(r -> new KeyEntity.Increment(by, ALICE, idempotency, r));
  }

  private CommandResultWithReply<KeyEntity.Command, KeyEvent, KeyState, KeyReply> delete(String key) {
    clock.advance(Duration.ofSeconds(1));
    return entity.runCommand(r -> new KeyEntity.Delete(Precondition.NONE, ALICE, new Idempotency(key, "fp-" + key), r));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
