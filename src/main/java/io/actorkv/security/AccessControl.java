package io.actorkv.security;

import io.actorkv.base.Stages;
import io.actorkv.store.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A node's view of the access rules, and the one place that answers what a
 * principal may do. The rules are cached here, kept current by the
 * registry's published rules and fetched from it after every change made
 * through this node, while none has arrived yet, and every
 * {@link #REFRESH_EVERY}; each principal's
 * {@link Access} is resolved once per revision of the rules.
 */
public final class AccessControl {

  /**
   * How often a node asks the registry for the rules besides: a change
   * published while this node could not be reached (a short network
   * partition) never comes again, and a revocation would not take
   * effect here until the next change.
   */
  static final Duration REFRESH_EVERY = Duration.ofSeconds(5);

  /** How many principals' resolved access is kept; past that the cache starts over. */
  static final int RESOLVED_LIMIT = 10_000;

  private final EntityRef<AccessRegistry.Command> registry;
  private final Duration timeout;
  private final Clock clock;
  private final AtomicReference<Resolved> current = new AtomicReference<>(new Resolved(null));

  /** One revision of the rules with the access resolved from it so far. */
  private record Resolved(AccessRules rules, Map<Principal, Access> byPrincipal) {
    Resolved(AccessRules rules) {
      this(rules, new ConcurrentHashMap<>());
    }

    long revision() {
      return rules == null ? -1 : rules.revision();
    }
  }

  private AccessControl(ActorSystem<?> system, Duration timeout, Clock clock) {
    this.registry = ClusterSharding.get(system).entityRefFor(AccessRegistry.TYPE_KEY, AccessRegistry.ENTITY_ID);
    this.timeout = timeout;
    this.clock = clock;
  }

  /** Registers the registry with sharding, subscribes this node to its changes and asks for the rules. */
  public static AccessControl start(ActorSystem<?> system, Duration timeout, Clock clock) {
    AccessRegistry.init(system);
    AccessControl control = new AccessControl(system, timeout, clock);
    system.systemActorOf(control.subscriber(), "access-rules-cache", Props.empty());
    control.rules();
    system.scheduler().scheduleWithFixedDelay(REFRESH_EVERY, REFRESH_EVERY, control::rules,
        system.executionContext());
    return control;
  }

  private Behavior<AccessRules> subscriber() {
    return Behaviors.setup(ctx -> {
      var topic = ctx.spawn(Topic.create(AccessRules.class, AccessRegistry.TOPIC), "topic");
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(rules -> {
        learn(rules);
        return Behaviors.same();
      });
    });
  }

  /**
   * What {@code principal} may do, from the cached rules; while this node
   * has none yet, from the registry's.
   */
  public CompletionStage<Access> access(Principal principal) {
    Access known = cachedAccess(principal);
    if (known != null) return CompletableFuture.completedFuture(known);
    return rules().thenApply(rules -> cachedAccess(principal));
  }

  /** What {@code principal} may do as this node knows the rules; null while it knows none. */
  public Access cachedAccess(Principal principal) {
    Resolved resolved = current.get();
    if (resolved.rules() == null) return null;
    Access access = resolved.byPrincipal().get(principal);
    if (access == null) {
      if (resolved.byPrincipal().size() >= RESOLVED_LIMIT) resolved.byPrincipal().clear();
      access = resolved.rules().accessOf(principal);
      resolved.byPrincipal().put(principal, access);
    }
    return access;
  }

  /** The roles {@code principal} has, the built-in one included. */
  public CompletionStage<List<String>> rolesOf(Principal principal) {
    return rules().thenApply(rules -> rules.rolesOf(principal));
  }

  /** The rules as the registry has them now. */
  public CompletionStage<AccessRules> rules() {
    return ask(AccessRegistry.Get::new).thenApply(reply -> learn(((AccessReply.Listing) reply).rules()));
  }

  /** Defines (or redefines) role {@code name} as {@code grants}, recorded as made by {@code by}. */
  public CompletionStage<AccessReply> defineRole(String name, List<Grant> grants, Principal by) {
    Role role = new Role(Role.checkName("a role's name", name), grants, by.name(), clock.instant());
    return change(replyTo -> new AccessRegistry.DefineRole(role, replyTo));
  }

  public CompletionStage<AccessReply> removeRole(String name, Principal by) {
    return change(replyTo -> new AccessRegistry.RemoveRole(name, by.name(), clock.instant(), replyTo));
  }

  /** Gives every token of the subject (or claiming the value) {@code name} exactly {@code roles}. */
  public CompletionStage<AccessReply> bind(Binding.Kind kind, String name, List<String> roles, Principal by) {
    Binding binding = new Binding(kind, Role.checkTokenValue("a binding's subject or claim value", name), roles,
        by.name(), clock.instant());
    return change(replyTo -> new AccessRegistry.SetBinding(binding, replyTo));
  }

  public CompletionStage<AccessReply> unbind(Binding.Kind kind, String name, Principal by) {
    return change(replyTo -> new AccessRegistry.RemoveBinding(kind, name, by.name(), clock.instant(), replyTo));
  }

  /** Refuses every token of {@code subject} issued before {@code before} (empty: now). */
  public CompletionStage<AccessReply> revoke(String subject, Optional<Instant> before, Principal by) {
    Instant now = clock.instant();
    Revocation revocation = new Revocation(Role.checkTokenValue("a subject", subject), before.orElse(now), by.name(), now);
    return change(replyTo -> new AccessRegistry.Revoke(revocation, replyTo));
  }

  public CompletionStage<AccessReply> liftRevocation(String subject, Principal by) {
    return change(replyTo -> new AccessRegistry.LiftRevocation(subject, by.name(), clock.instant(), replyTo));
  }

  /** The revocation of {@code subject}'s tokens as this node knows the rules; null while it knows none. */
  public Optional<Revocation> cachedRevocation(String subject) {
    AccessRules rules = current.get().rules();
    return rules == null ? null : rules.revocationOf(subject);
  }

  /** The revocation of {@code subject}'s tokens, from the cached rules or, while there are none, the registry's. */
  public CompletionStage<Optional<Revocation>> revocation(String subject) {
    Optional<Revocation> known = cachedRevocation(subject);
    if (known != null) return CompletableFuture.completedFuture(known);
    return rules().thenApply(rules -> rules.revocationOf(subject));
  }

  /** A change, after which this node's cache holds the rules with it, so its next request sees it. */
  private CompletionStage<AccessReply> change(Function<ActorRef<AccessReply>, AccessRegistry.Command> command) {
    return ask(command).thenCompose(reply -> rules().thenApply(rules -> reply));
  }

  private CompletionStage<AccessReply> ask(Function<ActorRef<AccessReply>, AccessRegistry.Command> command) {
    return Stages.direct(registry.ask(command::apply, timeout));
  }

  /** Keeps the newest rules seen: published and fetched ones may arrive in any order. */
  private AccessRules learn(AccessRules rules) {
    return current.accumulateAndGet(new Resolved(rules),
        (known, offered) -> offered.revision() > known.revision() ? offered : known).rules();
  }
}
