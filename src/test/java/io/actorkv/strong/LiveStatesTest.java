package io.actorkv.strong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.junit.jupiter.api.Test;

/** The published states a node reads strong keys from, and when a read touches the key's entity. */
class LiveStatesTest {

  private static final String KEY = "default|k";
  /** Shorter than the longest interval, so that these tests fail if the interval is not the one given. */
  private static final Duration INTERVAL = Duration.ofSeconds(3);
  private static final long EVERY = INTERVAL.toNanos();
  /** {@link System#nanoTime} may be negative. */
  private static final long T0 = -5 * EVERY;

  private final LiveStates live = new LiveStates(INTERVAL);
  private final List<String> touched = new ArrayList<>();

  @Test
  void aPublishedStateIsReadUntilItsEntityWithdrawsIt() {
    KeyState first = state(1);
    KeyState second = state(2);
    live.publish(KEY, first, T0);
    assertEquals(first, read(T0));
    live.publish(KEY, second, T0);
    assertEquals(second, read(T0));

    live.withdraw(KEY);
    assertNull(read(T0 + 2 * EVERY));
    assertEquals(List.of(), touched, "a withdrawn key is read from its entity, not touched");
  }

  @Test
  void aKeyOnlyReadTouchesItsEntityOncePerIntervalWhateverTheNumberOfReads() {
    live.publish(KEY, state(1), T0);
    read(T0 + EVERY - 1);
    assertEquals(List.of(), touched);

    read(T0 + EVERY);
    read(T0 + EVERY);
    read(T0 + 2 * EVERY - 1);
    assertEquals(List.of(KEY), touched);

    read(T0 + 2 * EVERY);
    assertEquals(List.of(KEY, KEY), touched);
  }

  @Test
  void aWriteCountsAsATouch() {
    live.publish(KEY, state(1), T0);
    live.publish(KEY, state(2), T0 + EVERY);
    assertEquals(state(2), read(T0 + EVERY + 1));
    assertEquals(List.of(), touched);

    read(T0 + 2 * EVERY);
    assertEquals(List.of(KEY), touched);
  }

  @Test
  void aKeyOnlyReadIsTouchedFourTimesPerIdleTimeoutAndAtLeastEveryTenSeconds() {
    assertEquals(Duration.ofSeconds(5), LiveStates.touchEvery(Optional.of(Duration.ofSeconds(20))));
    assertEquals(Duration.ofSeconds(10), LiveStates.touchEvery(Optional.of(Duration.ofSeconds(40))));
    assertEquals(Duration.ofSeconds(10), LiveStates.touchEvery(Optional.of(Duration.ofMinutes(2))));
    assertEquals(Duration.ofSeconds(10), LiveStates.touchEvery(Optional.empty()), "sharding passivates no idle keys");
  }

  @Test
  void theShippedIdleTimeoutIsReadWhereShardingReadsIt() {
    var sharding = ClusterShardingSettings.fromConfig(ConfigFactory.load().getConfig("pekko.cluster.sharding"));
    assertEquals(Optional.of(Duration.ofMinutes(2)), LiveStates.idleTimeout(sharding));
  }

  private KeyState read(long nanoTime) {
    return live.read(KEY, nanoTime, touched::add);
  }

  /** A deleted key's state, which is all these tests need. */
  private static KeyState state(long revision) {
    return new KeyState(revision, null);
  }
}
