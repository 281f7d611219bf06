package io.actorkv.strong;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The state of each strong key whose entity runs on this node, as that
 * entity last made it durable. A read of a key found here is answered from
 * it, without a message to the entity; any other key is read by asking its
 * entity, wherever sharding placed it.
 *
 * <p>Such a read is as linearizable as the entity's own answer. An entity
 * publishes its state once recovered and after each event it persists,
 * before it acknowledges the write; it withdraws the state when it stops or
 * restarts. Sharding starts a key's entity elsewhere only after the entity
 * here has stopped, so a state is here only while no other entity of its key
 * can take writes.
 *
 * <p>Sharding passivates the entities it has delivered nothing to for a
 * while, and under its entity limit the least recently used first. So that a
 * key that is only read counts as used, its entity is touched through
 * sharding at most once per {@link #TOUCH_EVERY} while it is read.
 */
final class LiveStates {

  /** Well below sharding's idle timeout for entities (cluster.conf). */
  static final Duration TOUCH_EVERY = Duration.ofSeconds(10);

  private static final long TOUCH_EVERY_NANOS = TOUCH_EVERY.toNanos();

  /** {@code touched}: when the entity last heard of this key's use, on {@link System#nanoTime}'s scale. */
  private record Published(KeyState state, long touched) {}

  private final ConcurrentHashMap<String, Published> states = new ConcurrentHashMap<>();

  /** Called by the entity, whose every state change comes through sharding and so counts as a use. */
  void publish(String entityId, KeyState state, long nanoTime) {
    states.put(entityId, new Published(state, nanoTime));
  }

  void withdraw(String entityId) {
    states.remove(entityId);
  }

  /**
   * The entity's last durable state, or {@code null} when its entity does not
   * run on this node. When the entity was last touched {@link #TOUCH_EVERY}
   * or longer ago, one of the readers that find it so calls {@code touch}.
   */
  KeyState read(String entityId, long nanoTime, Consumer<String> touch) {
    Published found = states.get(entityId);
    if (found == null) return null;
    if (nanoTime - found.touched() >= TOUCH_EVERY_NANOS
        && states.replace(entityId, found, new Published(found.state(), nanoTime))) {
      touch.accept(entityId);
    }
    return found.state();
  }
}
