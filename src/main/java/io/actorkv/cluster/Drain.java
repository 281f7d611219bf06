package io.actorkv.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The first step of a node's graceful stop (SIGTERM, or a rolling restart):
 * for {@code actorkv.http.drain-time} before the API stops listening, the
 * node says it is not ready (Pekko Management's {@code /ready}, through
 * {@link ReadinessCheck}), so load balancers stop sending it new clients,
 * while it goes on serving every request and asks each client to close its
 * connection after the answer ({@code Connection: close}). When the API
 * then unbinds, no client holds an idle connection to it that a request
 * could be sent on as it closes; later clients find the port refused and go
 * elsewhere. Only then do the shards hand off and the node leave. A node
 * alone in its cluster does not drain: no other node could take its clients.
 */
public final class Drain implements Extension {

  private volatile boolean draining;

  public static Drain get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** Whether the node is stopping: answers should close their connections. */
  public boolean draining() {
    return draining;
  }

  /** Runs the drain first in the node's coordinated shutdown, for {@code time}. */
  public static void install(ActorSystem system, Duration time) {
    Drain drain = get(system);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "actorkv-drain", () -> {
      if (time.isZero() || othersUp(system) == 0) return CompletableFuture.completedFuture(Done.getInstance());
      drain.draining = true;
      system.log().info("draining for {} before the API stops listening", time);
      return CompletableFuture.supplyAsync(Done::getInstance,
          CompletableFuture.delayedExecutor(time.toMillis(), TimeUnit.MILLISECONDS));
    });
  }

  private static long othersUp(ActorSystem system) {
    Cluster cluster = Cluster.get(system);
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() && !m.address().equals(cluster.selfAddress()))
        .count();
  }

  /**
   * A readiness check of Pekko Management
   * ({@code pekko.management.health-checks.readiness-checks}): not ready
   * once the node drains.
   */
  public static final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
    private final Drain drain;

    public ReadinessCheck(ActorSystem system) {
      this.drain = Drain.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(!drain.draining());
    }
  }

  private static final class Id extends AbstractExtensionId<Drain> {
    static final Id INSTANCE = new Id();

    @Override
    public Drain createExtension(ExtendedActorSystem system) {
      return new Drain();
    }
  }
}
