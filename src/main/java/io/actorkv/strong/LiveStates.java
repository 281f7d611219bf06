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
 * restarts. A rebalance moves a shard only after its entities here have
 * stopped. Only when this node is downed can its keys start elsewhere while
 * its entities still run; then this read, like an ask, relies on the
 * split-brain resolver's timing (docs/reliability.md).
 *
 * <p>Sharding passivates the entities it has delivered nothing to for a
 * while. So that a key that is only read counts as used, its entity is
 * touched through sharding at most once per {@link #TOUCH_EVERY} while it is
 * read. Sharding's entity limit ranks keys by how often they get messages,
 * and a read-only key gets at most that one, however often it is read.
 *
 * <p>Not final only so that a test can record what entities publish.
 */
class LiveStates {

  /** Well below sharding's idle timeout for entities (cluster.conf). */
  static final Duration TOUCH_EVERY = Duration.ofSeconds(10);

  private static final long TOUCH_EVERY_NANOS = TOUCH_EVERY.toNanos();

  /** {@code touched}: when the entity last heard of this key's use, on {@link System#nanoTime}'s scale. */
  private record Published(KeyState state, long touched) {}

  private final ConcurrentHashMap<String, Published> states = new ConcurrentHashMap<>();

  /** Called by the entity on each state change; a change counts as a touch, as most come through sharding. */
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
