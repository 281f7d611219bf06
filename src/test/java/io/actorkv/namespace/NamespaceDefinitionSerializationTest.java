package io.actorkv.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression: an eventual definition was journaled by the namespace registry
 * but could not be read back (Jackson took {@link Level}'s factory for a
 * properties creator), so a restarted node's registry failed to recover.
 */
class NamespaceDefinitionSerializationTest {

  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void definitionsAndTheRegistrysEventsRoundTripThroughTheJournalSerializer() {
    var serialization = new SerializationTestKit(testKit.system());
    var eventual = NamespaceDefinition.eventual("carts", Instant.parse("2026-11-21T07:00:00Z"), Conflicts.SIBLINGS,
        Level.MAJORITY, Level.parse("2"), "30m", 64);
    var strong = NamespaceDefinition.strong("orders", Instant.parse("2026-11-21T07:00:00Z"));
    for (Object o : List.of(eventual, strong, new NamespaceRegistry.Created(eventual),
        new NamespaceReply.Conflicting(eventual), new NamespaceReply.Listing(3, List.of(strong, eventual)))) {
      assertEquals(o, serialization.verifySerialization(o, true));
    }
  }
}
