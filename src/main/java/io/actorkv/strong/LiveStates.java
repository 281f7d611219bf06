package io.actorkv.strong;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import scala.jdk.javaapi.DurationConverters;
import scala.jdk.javaapi.OptionConverters;

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
 * touched through sharding at most once per {@link #touchEvery} while it is
 * read. Sharding's entity limit ranks keys by how often they get messages,
 * and a read-only key gets at most that one, however often it is read.
 *
 * <p>Not final only so that a test can record what entities publish.
 */
class LiveStates {

  /** The longest time between two touches of a key only read. */
  static final Duration MAX_TOUCH_EVERY = Duration.ofSeconds(10);

  /** {@code touched}: when the entity last heard of this key's use, on {@link System#nanoTime}'s scale. */
  private record Published(KeyState state, long touched) {}

  private final ConcurrentHashMap<String, Published> states = new ConcurrentHashMap<>();
  private final long touchEveryNanos;

  /** @param touchEvery how often a key only read touches its entity: see {@link #touchEvery} */
  LiveStates(Duration touchEvery) {
    this.touchEveryNanos = touchEvery.toNanos();
  }

  /**
   * A quarter of sharding's idle timeout, so that a key only read is touched
   * several times before it would count as idle, and at most
   * {@link #MAX_TOUCH_EVERY}; that when sharding passivates no idle entities.
   */
  static Duration touchEvery(Optional<Duration> idleTimeout) {
    return idleTimeout.map(timeout -> timeout.dividedBy(4))
        .filter(quarter -> quarter.compareTo(MAX_TOUCH_EVERY) < 0)
        .orElse(MAX_TOUCH_EVERY);
  }

  /** Sharding's idle timeout for entities, or empty when it passivates no idle entities. */
  static Optional<Duration> idleTimeout(ClusterShardingSettings sharding) {
    return OptionConverters.toJava(sharding.passivationStrategySettings().idleEntitySettings())
        .map(idle -> DurationConverters.toJava(idle.timeout()));
  }

  /** Called by the entity on each state change; a change counts as a touch, as most come through sharding. */
  void publish(String entityId, KeyState state, long nanoTime) {
    states.put(entityId, new Published(state, nanoTime));
  }

  void withdraw(String entityId) {
    states.remove(entityId);
  }

  /**
   * The entity's last durable state, or {@code null} when its entity does not
   * run on this node. When the entity was last touched the touch interval
   * or longer ago, one of the readers that find it so calls {@code touch}.
   */
  KeyState read(String entityId, long nanoTime, Consumer<String> touch) {
    Published found = states.get(entityId);
    if (found == null) return null;
    if (nanoTime - found.touched() >= touchEveryNanos
        && states.replace(entityId, found, new Published(found.state(), nanoTime))) {
      touch.accept(entityId);
    }
    return found.state();
  }
}
