package io.actorkv.strong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.typesafe.config.ConfigFactory;
import io.actorkv.base.Ticker;
import io.actorkv.store.Expiry;
import io.actorkv.store.Precondition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every event the entity writes carries its link of the key's hash chain, and the links follow from the events. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(PER_CLASS)
class ChainHashTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))).build();

  private static final Instant T = Instant.parse("2026-12-04T00:00:00Z");

  @Test
  void eachEventsLinkIsTheHashOfThePreviousLinkAndTheEventAndSurvivesRecovery() {
    String entityId = KeyEntity.entityId("default", "chained");
    var entity = EventSourcedBehaviorTestKit.<KeyEntity.Command, KeyEvent, KeyState>create(testKit.system(),
        KeyEntity.create(entityId, Clock.fixed(T, ZoneOffset.UTC), Ticker.SYSTEM, 3, new LiveStates(Duration.ofSeconds(10))));
    List<KeyEvent> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] v = ("v" + i).getBytes(UTF_8);
      written.addAll(entity.<KeyReply>runCommand(r -> new KeyEntity.Put(v, "text/plain", null, Precondition.NONE,
          "alice", r)).events());
    }
    entity.restart(); // from the snapshot at revision 3, the chain goes on where it was
    written.addAll(entity.<KeyReply>runCommand(r -> new KeyEntity.Delete(Precondition.NONE, "bob", r)).events());

    ChainHash link = ChainHash.genesis(KeyEntity.persistenceId(entityId));
    for (int i = 0; i < written.size(); i++) {
      KeyEvent e = written.get(i);
      link = link.next(i + 1, e.withHash(null));
      assertEquals(link, e.hash(), "revision " + (i + 1));
    }
    assertEquals(link, entity.getState().hash());
  }

  @Test
  void aChangeToAnyPartOfAnEventChangesItsLink() {
    ChainHash start = ChainHash.genesis("kv|default|k");
    var put = new KeyEvent.ValuePut("v".getBytes(UTF_8), "text/plain", Expiry.NEVER, "alice", T);
    ChainHash link = start.next(1, put);
    assertNotEquals(link, start.next(2, put), "revision");
    assertNotEquals(link, start.next(1, new KeyEvent.ValuePut("w".getBytes(UTF_8), "text/plain", Expiry.NEVER,
        "alice", T)), "value");
    assertNotEquals(link, start.next(1, new KeyEvent.ValuePut("v".getBytes(UTF_8), "text/plain", Expiry.NEVER,
        "mallory", T)), "principal");
    assertNotEquals(link, start.next(1, new KeyEvent.ValuePut("v".getBytes(UTF_8), "text/plain",
        Expiry.at(T.plusSeconds(1)), "alice", T)), "expiry");
    assertNotEquals(link, start.next(1, new KeyEvent.ValuePut("v".getBytes(UTF_8), "text/plain", Expiry.NEVER,
        "alice", T.plusNanos(1))), "time");
    assertNotEquals(link, ChainHash.genesis("kv|default|other").next(1, put), "key");
    assertEquals(link, ChainHash.genesis("kv|default|k").next(1, put), "the same event, the same link");
  }
}
