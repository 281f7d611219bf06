package io.actorkv.namespace;

import io.actorkv.base.Stages;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's view of the namespaces. Lookups on the request path are answered
 * from a local cache kept current by the registry's published lists; a name
 * the cache does not know is checked with the registry before it is called
 * unknown, so a namespace created through any node is usable at once
 * everywhere.
 */
public final class Namespaces {

  /** What a namespace holds: consulted before a namespace is removed, and told once it is. */
  public interface Contents {
    CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition namespace);

    /** The namespace is removed: what it held may go (a namespace of the same name made later starts empty anyway). */
    CompletionStage<Void> forget(NamespaceDefinition namespace);
  }

  /**
   * The namespaces' data keys, as shredding needs them: whether values are
   * encrypted at all, destroying a key (blocking), and dropping this node's
   * copy of a key once its namespace is known shredded.
   */
  public interface Keys {
    boolean encrypted();

    CompletionStage<Void> destroy(String storageName);

    void forget(String storageName);

    /** Encryption at rest off: nothing to shred. */
    Keys NONE = new Keys() {
      @Override
      public boolean encrypted() {
        return false;
      }

      @Override
      public CompletionStage<Void> destroy(String storageName) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void forget(String storageName) {
      }
    };
  }

  private static final Logger log = LoggerFactory.getLogger(Namespaces.class);

  private final EntityRef<NamespaceRegistry.Command> registry;
  private final Duration timeout;
  private final Clock clock;
  private final Contents contents;
  private final Keys keys;
  private final AtomicReference<Known> known = new AtomicReference<>(Known.of(new NamespaceReply.Listing(-1, List.of())));

  /** A registry listing with its definitions indexed by name, swapped in as one. */
  private record Known(NamespaceReply.Listing listing, Map<String, NamespaceDefinition> byName) {
    static Known of(NamespaceReply.Listing listing) {
      return new Known(listing, listing.definitions().stream()
          .collect(Collectors.toUnmodifiableMap(NamespaceDefinition::name, Function.identity())));
    }
  }

  private Namespaces(ActorSystem<?> system, Duration timeout, Clock clock, Contents contents, Keys keys) {
    this.registry = ClusterSharding.get(system)
        .entityRefFor(NamespaceRegistry.TYPE_KEY, NamespaceRegistry.ENTITY_ID);
    this.timeout = timeout;
    this.clock = clock;
    this.contents = contents;
    this.keys = keys;
  }

  /** Registers the registry with sharding and subscribes this node to its changes. */
  public static Namespaces start(ActorSystem<?> system, Duration timeout, Clock clock, Contents contents, Keys keys) {
    NamespaceRegistry.init(system);
    Namespaces namespaces = new Namespaces(system, timeout, clock, contents, keys);
    system.systemActorOf(namespaces.subscriber(), "namespace-cache", Props.empty());
    return namespaces;
  }

  private Behavior<NamespaceReply.Listing> subscriber() {
    return Behaviors.setup(ctx -> {
      var topic = ctx.spawn(Topic.create(NamespaceReply.Listing.class, NamespaceRegistry.TOPIC), "topic");
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(listing -> {
        learn(listing);
        return Behaviors.same();
      });
    });
  }

  public CompletionStage<Optional<NamespaceDefinition>> find(String name) {
    NamespaceDefinition cached = cached(name);
    if (cached != null) return CompletableFuture.completedFuture(Optional.of(cached));
    return refresh().thenApply(listing -> Optional.ofNullable(cached(name)));
  }

  /** Every namespace, the built-in one first. */
  public CompletionStage<List<NamespaceDefinition>> list() {
    return refresh().thenApply(listing -> {
      List<NamespaceDefinition> all = new ArrayList<>();
      all.add(NamespaceDefinition.BUILT_IN);
      all.addAll(listing.definitions());
      return all;
    });
  }

  /** Creates the namespace {@code requested} describes (its creation time is set here), unless it exists. */
  public CompletionStage<NamespaceReply> create(NamespaceDefinition requested) {
    if (requested.name().equals(NamespaceDefinition.DEFAULT)) {
      return CompletableFuture.completedFuture(NamespaceReply.exists(NamespaceDefinition.BUILT_IN, requested));
    }
    var definition = requested.withCreatedAt(clock.instant());
    return askRegistry(replyTo -> new NamespaceRegistry.Create(definition, replyTo)).thenCompose(this::afterChange);
  }

  /** Removes a namespace that holds no live key. */
  public CompletionStage<NamespaceReply> remove(String name) {
    if (name.equals(NamespaceDefinition.DEFAULT)) {
      return CompletableFuture.completedFuture(new NamespaceReply.BuiltIn(name));
    }
    return find(name).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(new NamespaceReply.NotFound(name));
      }
      if (found.get().shredded()) return CompletableFuture.completedFuture(new NamespaceReply.Shredded(found.get()));
      return contents.hasLiveKeys(found.get()).thenCompose(live -> live
          ? CompletableFuture.completedFuture(new NamespaceReply.NotEmpty(name))
          : askRegistry(replyTo -> new NamespaceRegistry.Remove(name, found.get().incarnation(), replyTo))
              .thenCompose(this::afterChange)
              .thenCompose(reply -> reply instanceof NamespaceReply.Removed ? forget(found.get(), reply)
                  : CompletableFuture.completedFuture(reply)));
    });
  }

  /**
   * Shreds a namespace, strong or eventual: the registry marks it shredded (every node
   * then answers 410 for it and drops its copy of the data key), then its
   * data key is destroyed in the database. Asking again finishes a shredding
   * whose second step failed.
   */
  public CompletionStage<NamespaceReply> shred(String name) {
    if (name.equals(NamespaceDefinition.DEFAULT)) {
      return CompletableFuture.completedFuture(new NamespaceReply.BuiltIn(name));
    }
    return find(name).thenCompose(found -> {
      if (found.isEmpty()) return CompletableFuture.completedFuture(new NamespaceReply.NotFound(name));
      if (!keys.encrypted()) {
        return CompletableFuture.completedFuture(new NamespaceReply.CannotShred(name,
            "encryption at rest is off (no master key): its values are stored in the clear"));
      }
      return askRegistry(replyTo -> new NamespaceRegistry.Shred(name, found.get().incarnation(), clock.instant(),
              replyTo))
          .thenCompose(this::afterChange)
          .thenCompose(reply -> reply instanceof NamespaceReply.Shredded shredded
              ? keys.destroy(shredded.definition().storageName()).thenApply(done -> reply)
              : CompletableFuture.completedFuture(reply));
    });
  }

  /** Lets the namespace's data go; what cannot go now stays unreachable, as a new namespace of the name starts empty. */
  private CompletionStage<NamespaceReply> forget(NamespaceDefinition removed, NamespaceReply reply) {
    return contents.forget(removed).handle((done, failure) -> {
      if (failure != null) log.warn("the data of removed namespace {} stays where it is", removed.storageName(), failure);
      return reply;
    });
  }

  private CompletionStage<NamespaceReply> afterChange(NamespaceReply reply) {
    return refresh().thenApply(listing -> reply);
  }

  private CompletionStage<NamespaceReply.Listing> refresh() {
    return askRegistry(NamespaceRegistry.List::new).thenApply(reply -> learn((NamespaceReply.Listing) reply));
  }

  private CompletionStage<NamespaceReply> askRegistry(
      Function<ActorRef<NamespaceReply>, NamespaceRegistry.Command> command) {
    return Stages.direct(registry.ask(command::apply, timeout));
  }

  /**
   * Keeps the newest list seen: published and fetched lists may arrive in
   * any order. A shredded namespace's data key leaves this node's memory.
   */
  private NamespaceReply.Listing learn(NamespaceReply.Listing listing) {
    listing.definitions().stream().filter(NamespaceDefinition::shredded)
        .forEach(d -> keys.forget(d.storageName()));
    return known.accumulateAndGet(Known.of(listing),
        (current, offered) -> offered.listing().revision() > current.listing().revision() ? offered : current)
        .listing();
  }

  /**
   * How many revisions the keys stored under {@code storageName} keep (0:
   * all), if this node knows: keys of a removed incarnation keep all.
   */
  public OptionalInt cachedRetention(String storageName) {
    NamespaceDefinition known = cached(NamespaceDefinition.nameOf(storageName));
    return known == null ? OptionalInt.empty() : OptionalInt.of(retention(known, storageName));
  }

  /** {@link #cachedRetention}, asking the registry when this node does not know the namespace. */
  public CompletionStage<Integer> retention(String storageName) {
    return find(NamespaceDefinition.nameOf(storageName)).thenApply(found -> found.map(d -> retention(d, storageName)).orElse(0));
  }

  private static int retention(NamespaceDefinition current, String storageName) {
    return current.storageName().equals(storageName) ? current.keptRevisions() : 0;
  }


  /** The definition of {@code name} if this node knows it, else null: the request path's way, with no future. */
  public NamespaceDefinition cached(String name) {
    return name.equals(NamespaceDefinition.DEFAULT) ? NamespaceDefinition.BUILT_IN : known.get().byName().get(name);
  }
}
