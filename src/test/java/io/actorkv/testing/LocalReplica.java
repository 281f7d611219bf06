package io.actorkv.testing;

import io.actorkv.eventual.EventualStore;
import io.actorkv.eventual.KeyEntry;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.ORMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/** Looks straight into one actor system's replica of an eventual namespace, bypassing the API. */
public final class LocalReplica {

  private LocalReplica() {}

  /** Whether {@code system}'s replica of the key's bucket holds the key at all (even with nothing readable). */
  public static boolean holds(ActorSystem<?> system, String namespace, int buckets, String key) {
    var bucket = EventualStore.bucketKey(namespace, EventualStore.bucketOf(key, buckets));
    Replicator.GetResponse<ORMap<String, KeyEntry>> response = AskPattern.<Replicator.Command,
            Replicator.GetResponse<ORMap<String, KeyEntry>>>ask(DistributedData.get(system).replicator(),
            replyTo -> new Replicator.Get<>(bucket, Replicator.readLocal(), replyTo), Duration.ofSeconds(30),
            system.scheduler())
        .toCompletableFuture().join();
    return response instanceof Replicator.GetSuccess<ORMap<String, KeyEntry>> s && s.dataValue().contains(key);
  }
}
