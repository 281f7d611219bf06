package io.actorkv.eventual;

import io.actorkv.base.Stages;
import io.actorkv.namespace.Level;
import io.actorkv.store.KeyOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * Says how far a read or write got when its level was not reached: asks
 * every other member's replicator for its local copy of the bucket and
 * counts, with this node, those that answer in time and whose entry for the
 * key passes a test. Runs only on that failure.
 */
final class LevelProbe {

  private final ActorSystem<?> system;
  private final UniqueAddress self;
  private final EventualSettings settings;

  LevelProbe(ActorSystem<?> system, UniqueAddress self, EventualSettings settings) {
    this.system = system;
    this.self = self;
    this.settings = settings;
  }

  /** {@code test} is given {@code null} where a replica does not hold the key. */
  CompletableFuture<KeyOutcome> levelNotReached(boolean write, BucketKey bucket, String key, Level level,
                                                Predicate<KeyEntry> test) {
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (!isReplica(m) || m.uniqueAddress().equals(self)) continue;
      var selection = system.classicSystem().actorSelection(m.address() + "/system/ddataReplicator");
      var get = new Replicator.Get<>(bucket, Replicator.readLocal());
      answers.add(Stages.direct(Patterns.ask(selection, get, settings.probeTimeout()))
          .handle((answer, failure) -> {
            LocalReplicator.BucketRead read = LocalReplicator.BucketRead.of(answer);
            return read.reached() && test.test(read.entry(key));
          }));
    }
    int members = answers.size() + 1;
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
      int holding = 1 + (int) answers.stream().filter(CompletableFuture::join).count();
      return new KeyOutcome.LevelNotReached(write, level, level.required(members), holding, members);
    });
  }

  private static boolean isReplica(Member m) {
    return m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()
        || m.status() == MemberStatus.leaving();
  }
}
