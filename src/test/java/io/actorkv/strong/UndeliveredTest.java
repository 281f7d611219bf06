package io.actorkv.strong;

import io.actorkv.store.Precondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A key's command that sharding dropped (a shard handing off drops what its
 * region buffered) or that went to dead letters was never seen by the
 * entity: its sender is told so, and sends it again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UndeliveredTest {

  private final ActorTestKit testKit = ActorTestKit.create();

  @BeforeAll
  void listen() {
    Undelivered.listen(testKit.system());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aCommandDroppedAtHandOffIsAnsweredNotDelivered() {
    TestProbe<KeyReply> asker = testKit.createTestProbe();
    var put = new KeyEntity.Put("v".getBytes(StandardCharsets.UTF_8), "text/plain", null, Precondition.NONE, "alice",
        asker.ref());
    publish(new Dropped(new ShardingEnvelope<>("default|k", put), "Avoiding reordering of buffered messages at shard "
        + "handoff", ActorRef.noSender(), ActorRef.noSender()));
    asker.expectMessage(new KeyReply.NotDelivered());
  }

  @Test
  void aCommandSentToAStoppedEntityIsAnsweredNotDelivered() {
    TestProbe<KeyReply> asker = testKit.createTestProbe();
    publish(new DeadLetter(new KeyEntity.Get(asker.ref()), nobody(), nobody()));
    asker.expectMessage(new KeyReply.NotDelivered());
  }

  @Test
  void otherDeadLettersAreLeftAlone() {
    TestProbe<KeyReply> asker = testKit.createTestProbe();
    publish(new DeadLetter(new KeyEntity.Touch(), nobody(), nobody()));
    publish(new DeadLetter(new KeyReply.Stored(1, true), nobody(), nobody()));
    asker.expectNoMessage(Duration.ofMillis(200));
  }

  /** Dead letters need a real sender and recipient; the dead letters actor stands in. */
  private ActorRef nobody() {
    return Adapter.toClassic(testKit.system()).deadLetters();
  }

  private void publish(Object deadLetter) {
    testKit.system().eventStream().tell(new EventStream.Publish<>(deadLetter));
  }
}
