package io.actorkv.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.testing.FlushWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The embedded H2 journal acknowledges a write only once its bytes are on
 * stable storage: H2's files are watched ({@link FlushWatch}), and at every
 * acknowledgement of our journal plugin nothing written to them is left
 * unforced. H2 writes a commit to its file but forces the file only when
 * told to (CHECKPOINT SYNC), so without that a power loss could take
 * acknowledged writes.
 */
class H2JournalSyncTest {

  private static final String URL = "pekko-persistence-jdbc.shared-databases.slick.db.url";

  @Test
  void everyAcknowledgedWriteIsForcedToDiskBeforeItsAcknowledgement(@TempDir Path dataDir) {
    FlushWatch.register();
    Config node = JournalContractTest.nodeJournal(dataDir, null);
    String url = node.getString(URL);
    assertTrue(url.startsWith("jdbc:h2:file:"), url);
    Config watched = node.withValue(URL, ConfigValueFactory.fromAnyRef(
        url.replace("jdbc:h2:file:", "jdbc:h2:" + FlushWatch.SCHEME + ":file:")));
    ActorSystem system = ActorSystem.create("H2JournalSync", ConfigFactory.parseString(
        "pekko.actor.provider = local").withFallback(watched));
    try {
      ActorRef journal = Persistence.get(system).journalFor("actorkv-journal", ConfigFactory.empty());
      TestKit probe = new TestKit(system);
      String pid = "sync-" + UUID.randomUUID();
      long forcesBefore = FlushWatch.forces();
      for (long seq = 1; seq <= 20; seq++) {
        PersistentRepr event = PersistentRepr.apply("event-" + seq, seq, pid, PersistentRepr.Undefined(), false,
            probe.getRef(), "writer");
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(
            List.<PersistentEnvelope>of(new AtomicWrite(CollectionConverters.asScala(List.of(event)).toList())))
            .toList(), probe.getRef(), 1), ActorRef.noSender());
        probe.expectMsg(Duration.ofSeconds(10), JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        long unforced = FlushWatch.unforcedBytes();
        probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
        assertEquals(0, unforced, "write " + seq + " was acknowledged with " + unforced + " bytes not yet forced");
      }
      assertTrue(FlushWatch.forces() - forcesBefore >= 20, "forces: " + (FlushWatch.forces() - forcesBefore));
    } finally {
      TestKit.shutdownActorSystem(system, Duration.ofSeconds(30), true);
    }
  }
}
