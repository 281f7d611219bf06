package io.actorkv.namespace;

import io.actorkv.base.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The durable list of namespaces: one event-sourced entity for the whole
 * cluster, placed by sharding. After each change it publishes the full list
 * to every node's {@link Namespaces} cache.
 */
final class NamespaceRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<NamespaceRegistry.Command, NamespaceRegistry.Event,
        NamespaceRegistry.State> {

  static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "namespaces");
  static final String ENTITY_ID = "registry";
  static final String TOPIC = "actorkv-namespaces";

  sealed interface Command extends CborSerializable {}

  record Create(NamespaceDefinition definition, ActorRef<NamespaceReply> replyTo) implements Command {}

  /** Removes the namespace of that name if it is still that incarnation (one created since is another). */
  record Remove(String name, long incarnation, ActorRef<NamespaceReply> replyTo) implements Command {}

  /** Marks the namespace of that name shredded if it is still that incarnation; again: answers it is. */
  record Shred(String name, long incarnation, Instant at, ActorRef<NamespaceReply> replyTo) implements Command {}

  record List(ActorRef<NamespaceReply> replyTo) implements Command {}

  /** Stored in the journal under stable names ({@link RegistryJournalSerializer}). */
  sealed interface Event {}

  record Created(NamespaceDefinition definition) implements Event {}

  record Removed(String name) implements Event {}

  record Shredded(String name, Instant at) implements Event {}

  /**
   * Definitions by name, how many changes led here (orders the published
   * lists), and the last incarnation of every name ever created, removed ones
   * included.
   */
  record State(long revision, Map<String, NamespaceDefinition> definitions, Map<String, Long> incarnations) {
    /** The event handler: names every event; one it does not know is a bug. */
    State apply(Event event) {
      Map<String, NamespaceDefinition> next = new TreeMap<>(definitions);
      Map<String, Long> used = new TreeMap<>(incarnations == null ? Map.of() : incarnations);
      if (event instanceof Created c) {
        next.put(c.definition().name(), c.definition());
        used.merge(c.definition().name(), c.definition().incarnation(), Math::max);
      } else if (event instanceof Removed r) {
        next.remove(r.name());
      } else if (event instanceof Shredded s) {
        next.computeIfPresent(s.name(), (name, d) -> d.withShreddedAt(s.at()));
      } else {
        throw new IllegalStateException("no handler for event " + event.getClass().getName());
      }
      return new State(revision + 1, next, used);
    }

    /** The incarnation of the next namespace of this name: 0 for a name never used. */
    long nextIncarnation(String name) {
      Long last = incarnations == null ? null : incarnations.get(name);
      return last == null ? 0 : last + 1;
    }

    NamespaceReply.Listing listing() {
      return new NamespaceReply.Listing(revision, java.util.List.copyOf(new ArrayList<>(definitions.values())));
    }
  }

  static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create()));
  }

  static Behavior<Command> create() {
    return Behaviors.setup(ctx -> new NamespaceRegistry(
        ctx.spawn(Topic.create(NamespaceReply.Listing.class, TOPIC), "topic")));
  }

  private final ActorRef<Topic.Command<NamespaceReply.Listing>> topic;

  private NamespaceRegistry(ActorRef<Topic.Command<NamespaceReply.Listing>> topic) {
    super(PersistenceId.ofUniqueId("namespaces|" + ENTITY_ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.topic = topic;
  }

  @Override
  public State emptyState() {
    return new State(0, Map.of(), Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(Shred.class, this::onShred)
        .onCommand(List.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.listing()))
        .build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create cmd) {
    NamespaceDefinition existing = state.definitions().get(cmd.definition().name());
    if (existing != null && existing.shredded()) {
      return Effect().reply(cmd.replyTo(), new NamespaceReply.Shredded(existing));
    }
    if (existing != null) {
      return Effect().reply(cmd.replyTo(), NamespaceReply.exists(existing, cmd.definition()));
    }
    NamespaceDefinition created = cmd.definition().withIncarnation(state.nextIncarnation(cmd.definition().name()));
    return Effect().persist(new Created(created))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new NamespaceReply.Created(created));
  }

  private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
    NamespaceDefinition current = state.definitions().get(cmd.name());
    if (current == null || current.incarnation() != cmd.incarnation()) {
      return Effect().reply(cmd.replyTo(), new NamespaceReply.NotFound(cmd.name()));
    }
    if (current.shredded()) return Effect().reply(cmd.replyTo(), new NamespaceReply.Shredded(current));
    return Effect().persist(new Removed(cmd.name()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new NamespaceReply.Removed(cmd.name()));
  }

  private ReplyEffect<Event, State> onShred(State state, Shred cmd) {
    NamespaceDefinition current = state.definitions().get(cmd.name());
    if (current == null || current.incarnation() != cmd.incarnation()) {
      return Effect().reply(cmd.replyTo(), new NamespaceReply.NotFound(cmd.name()));
    }
    if (current.shredded()) return Effect().reply(cmd.replyTo(), new NamespaceReply.Shredded(current));
    return Effect().persist(new Shredded(cmd.name(), cmd.at()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new NamespaceReply.Shredded(next.definitions().get(cmd.name())));
  }

  private void publish(State state) {
    topic.tell(Topic.publish(state.listing()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }
}
