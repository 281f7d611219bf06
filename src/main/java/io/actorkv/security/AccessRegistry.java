package io.actorkv.security;

import io.actorkv.base.CborSerializable;
import io.actorkv.base.MessageBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
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
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * The durable access rules: one event-sourced entity for the whole cluster,
 * placed by sharding, as the namespace registry is. Every change is an
 * event that names the admin who made it and when, so the journal keeps who
 * granted what. After each change it publishes the rules to every node's
 * {@link AccessControl}.
 */
final class AccessRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<AccessRegistry.Command, AccessRegistry.Event, AccessRules> {

  static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "access-rules");
  static final String ENTITY_ID = "registry";
  static final String TOPIC = "actorkv-access-rules";

  sealed interface Command extends CborSerializable {}

  record DefineRole(Role role, ActorRef<AccessReply> replyTo) implements Command {}

  record RemoveRole(String name, String by, Instant at, ActorRef<AccessReply> replyTo) implements Command {}

  record SetBinding(Binding binding, ActorRef<AccessReply> replyTo) implements Command {}

  record RemoveBinding(Binding.Kind kind, String name, String by, Instant at, ActorRef<AccessReply> replyTo)
      implements Command {}

  record Revoke(Revocation revocation, ActorRef<AccessReply> replyTo) implements Command {}

  record LiftRevocation(String subject, String by, Instant at, ActorRef<AccessReply> replyTo) implements Command {}

  record Get(ActorRef<AccessReply> replyTo) implements Command {}

  /** Stored in the journal under stable names ({@link AccessJournalSerializer}); each names its admin. */
  sealed interface Event {}

  record RoleDefined(Role role) implements Event {}

  record RoleRemoved(String name, String by, Instant at) implements Event {}

  record BindingSet(Binding binding) implements Event {}

  record BindingRemoved(Binding.Kind kind, String name, String by, Instant at) implements Event {}

  record SubjectRevoked(Revocation revocation) implements Event {}

  record RevocationLifted(String subject, String by, Instant at) implements Event {}

  /** The event handler: names every event; one it does not know is a bug. */
  static AccessRules apply(AccessRules rules, Event event) {
    Map<String, Role> roles = new TreeMap<>(rules.roles());
    Map<String, Binding> bindings = new TreeMap<>(rules.bindings());
    Map<String, Revocation> revocations = new TreeMap<>(rules.revocations());
    if (event instanceof RoleDefined d) {
      roles.put(d.role().name(), d.role());
    } else if (event instanceof RoleRemoved r) {
      roles.remove(r.name());
      // The role leaves every binding that gave it; one left with none goes. Else a role of the same name
      // defined later would give its grants to bindings made for the old one.
      for (Binding b : List.copyOf(bindings.values())) {
        if (!b.roles().contains(r.name())) continue;
        List<String> left = b.roles().stream().filter(role -> !role.equals(r.name())).toList();
        if (left.isEmpty()) {
          bindings.remove(b.id());
        } else {
          bindings.put(b.id(), new Binding(b.kind(), b.name(), left, r.by(), r.at()));
        }
      }
    } else if (event instanceof BindingSet b) {
      bindings.put(b.binding().id(), b.binding());
    } else if (event instanceof BindingRemoved r) {
      bindings.remove(Binding.id(r.kind(), r.name()));
    } else if (event instanceof SubjectRevoked r) {
      revocations.put(r.revocation().subject(), r.revocation());
    } else if (event instanceof RevocationLifted l) {
      revocations.remove(l.subject());
    } else {
      throw new IllegalStateException("no handler for event " + event.getClass().getName());
    }
    return new AccessRules(rules.revision() + 1, roles, bindings, revocations);
  }

  static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create()));
  }

  static Behavior<Command> create() {
    return Behaviors.setup(ctx -> new AccessRegistry(ctx.spawn(Topic.create(AccessRules.class, TOPIC), "topic"),
        SerializationExtension.get(Adapter.toClassic(ctx.getSystem())),
        MessageBudget.bytes(ctx.getSystem().settings().config())));
  }

  private final ActorRef<Topic.Command<AccessRules>> topic;
  private final Serialization serialization;
  private final long messageBudget;

  private AccessRegistry(ActorRef<Topic.Command<AccessRules>> topic, Serialization serialization,
                         long messageBudget) {
    super(PersistenceId.ofUniqueId("access|" + ENTITY_ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.topic = topic;
    this.serialization = serialization;
    this.messageBudget = messageBudget;
  }

  /**
   * Persists {@code event}, publishes the rules and replies, unless the
   * rules it makes would not fit one message between nodes, in which every
   * node is sent them ({@link MessageBudget}): past it, the message was
   * dropped, and other nodes kept rules without the change (a revocation
   * not made). Then nothing changes, and the reply says why.
   */
  private ReplyEffect<Event, AccessRules> persistIfItFits(AccessRules rules, Event event, ActorRef<AccessReply> replyTo,
                                                          AccessReply stored) {
    long bytes = serialization.serialize(apply(rules, event)).get().length;
    if (bytes > messageBudget) return Effect().reply(replyTo, new AccessReply.Full(bytes, messageBudget));
    return Effect().persist(event).thenRun(this::publish).thenReply(replyTo, next -> stored);
  }

  @Override
  public AccessRules emptyState() {
    return AccessRules.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, AccessRules> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(DefineRole.class, this::onDefineRole)
        .onCommand(RemoveRole.class, this::onRemoveRole)
        .onCommand(SetBinding.class, this::onSetBinding)
        .onCommand(RemoveBinding.class, this::onRemoveBinding)
        .onCommand(Revoke.class, this::onRevoke)
        .onCommand(LiftRevocation.class, this::onLiftRevocation)
        .onCommand(Get.class, (rules, cmd) -> Effect().reply(cmd.replyTo(), new AccessReply.Listing(rules)))
        .build();
  }

  private ReplyEffect<Event, AccessRules> onDefineRole(AccessRules rules, DefineRole cmd) {
    if (cmd.role().name().equals(Role.ROOT)) return Effect().reply(cmd.replyTo(), new AccessReply.BuiltIn());
    boolean created = !rules.roles().containsKey(cmd.role().name());
    return persistIfItFits(rules, new RoleDefined(cmd.role()), cmd.replyTo(), new AccessReply.Stored(created));
  }

  private ReplyEffect<Event, AccessRules> onRemoveRole(AccessRules rules, RemoveRole cmd) {
    if (cmd.name().equals(Role.ROOT)) return Effect().reply(cmd.replyTo(), new AccessReply.BuiltIn());
    if (!rules.roles().containsKey(cmd.name())) return Effect().reply(cmd.replyTo(), new AccessReply.NotFound());
    return Effect().persist(new RoleRemoved(cmd.name(), cmd.by(), cmd.at()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new AccessReply.Removed());
  }

  private ReplyEffect<Event, AccessRules> onSetBinding(AccessRules rules, SetBinding cmd) {
    var unknown = cmd.binding().roles().stream().filter(name -> rules.role(name) == null).toList();
    if (!unknown.isEmpty()) return Effect().reply(cmd.replyTo(), new AccessReply.UnknownRoles(unknown));
    boolean created = !rules.bindings().containsKey(cmd.binding().id());
    return persistIfItFits(rules, new BindingSet(cmd.binding()), cmd.replyTo(), new AccessReply.Stored(created));
  }

  private ReplyEffect<Event, AccessRules> onRemoveBinding(AccessRules rules, RemoveBinding cmd) {
    if (!rules.bindings().containsKey(Binding.id(cmd.kind(), cmd.name()))) {
      return Effect().reply(cmd.replyTo(), new AccessReply.NotFound());
    }
    return Effect().persist(new BindingRemoved(cmd.kind(), cmd.name(), cmd.by(), cmd.at()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new AccessReply.Removed());
  }

  private ReplyEffect<Event, AccessRules> onRevoke(AccessRules rules, Revoke cmd) {
    boolean created = rules.revocationOf(cmd.revocation().subject()).isEmpty();
    return persistIfItFits(rules, new SubjectRevoked(cmd.revocation()), cmd.replyTo(),
        new AccessReply.Stored(created));
  }

  private ReplyEffect<Event, AccessRules> onLiftRevocation(AccessRules rules, LiftRevocation cmd) {
    if (rules.revocationOf(cmd.subject()).isEmpty()) return Effect().reply(cmd.replyTo(), new AccessReply.NotFound());
    return Effect().persist(new RevocationLifted(cmd.subject(), cmd.by(), cmd.at()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> new AccessReply.Removed());
  }

  private void publish(AccessRules rules) {
    topic.tell(Topic.publish(rules));
  }

  @Override
  public EventHandler<AccessRules, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(AccessRegistry::apply);
  }
}
