package io.actorkv.eventual;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Whether this node can keep eventual replicas on its disk, as
 * {@link WriteBehindStore} last found: one per actor system. While it
 * cannot (a full disk, an I/O error, a full LMDB map, a file it could not
 * open), clients' eventual writes are refused before they change anything.
 * A failed batch is retried with the next; the first that succeeds clears
 * the failure. A store that could not open its file stops the replicator,
 * and only a restart mends that: only then is the node not ready
 * ({@link Readiness}). A failing write is not a reason, as the LMDB map
 * fills on every node at about the same time, and every node unready
 * would leave strong namespaces no node either.
 */
public final class EventualDurability implements Extension {

  private volatile String failure;
  private volatile boolean permanent;

  public static EventualDurability get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** Why eventual replicas cannot be written now, if they cannot. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** Why the replicator stopped (its store could not open or load its file), if it did. */
  public Optional<String> broken() {
    return permanent ? Optional.ofNullable(failure) : Optional.empty();
  }

  /** A batch of replicas could not be written: {@code why} until one is. */
  void failing(String why) {
    failure = why;
  }

  /** The store could not open or load its file: the replicator stops, and this stays until a restart. */
  void broken(String why) {
    permanent = true;
    failure = why + "; restart the node once it is mended";
  }

  /** A batch was written: replicas reach the disk again. */
  void writing() {
    if (!permanent) failure = null;
  }

  /**
   * A readiness check of Pekko Management
   * ({@code pekko.management.health-checks.readiness-checks}): not ready
   * once the replicator stopped ({@link #broken}).
   */
  public static final class Readiness implements Supplier<CompletionStage<Boolean>> {
    private final EventualDurability durability;

    public Readiness(org.apache.pekko.actor.ActorSystem system) {
      this.durability = EventualDurability.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
      return CompletableFuture.completedFuture(durability.broken().isEmpty());
    }
  }

  public static final class Id extends AbstractExtensionId<EventualDurability> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public Id lookup() {
      return INSTANCE;
    }

    @Override
    public EventualDurability createExtension(ExtendedActorSystem system) {
      return new EventualDurability();
    }
  }
}
