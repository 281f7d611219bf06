package io.actorkv.testing;

import io.actorkv.eventual.Bucket;
import io.actorkv.eventual.EventualStore;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/** Looks straight into one actor system's replica of an eventual namespace, bypassing the API. */
public final class LocalReplica {

  private LocalReplica() {}

  /** Whether {@code system}'s replica of the key's bucket holds the key at all (even with nothing readable). */
  public static boolean holds(ActorSystem<?> system, String namespace, int buckets, String key) {
    var bucket = EventualStore.bucketKey(namespace, EventualStore.bucketOf(key, buckets));
    Replicator.GetResponse<Bucket> response = AskPattern.<Replicator.Command,
            Replicator.GetResponse<Bucket>>ask(DistributedData.get(system).replicator(),
            replyTo -> new Replicator.Get<>(bucket, Replicator.readLocal(), replyTo), Duration.ofSeconds(30),
            system.scheduler())
        .toCompletableFuture().join();
    return response instanceof Replicator.GetSuccess<Bucket> s && s.dataValue().get(key) != null;
  }
}
