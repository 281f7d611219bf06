package io.actorkv.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.testing.Await;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every request schedules timers (the ask's timeout, the HTTP request timeout)
 * and cancels them when it is answered. A cancelled timer must not stay
 * reachable for its whole delay: at thousands of requests a second the young
 * collector copies and then promotes every one still held (dispatchers.conf).
 */
class SchedulerTimersTest {

  private ActorSystem<Void> system;

  @BeforeEach
  void start() {
    Config node = NodeConfig.load(Map.of(), Map.of(), null);
    system = ActorSystem.create(Behaviors.empty(), "timers",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(node));
  }

  @AfterEach
  void stop() {
    system.terminate();
  }

  @Test
  void givenNodeConfig_thenTheSchedulerWheelTurnsWithinASecond() {
    Config scheduler = system.settings().config().getConfig("pekko.scheduler");
    Duration turn = scheduler.getDuration("tick-duration").multipliedBy(scheduler.getInt("ticks-per-wheel"));

    assertTrue(turn.compareTo(Duration.ofSeconds(1)) <= 0, "one turn of the timer wheel takes " + turn);
  }

  @Test
  void givenRequestTimeoutTimerCancelled_thenItIsReleasedLongBeforeItsDelay() {
    // As an ask does: a timer for the request timeout, cancelled when the answer comes.
    // With Pekko's default wheel (512 ticks) this one stays reachable for 5 s.
    Cancellable timer = system.scheduler().scheduleOnce(Duration.ofSeconds(5), () -> { }, system.executionContext());
    WeakReference<Cancellable> held = new WeakReference<>(timer);
    timer.cancel();
    timer = null;

    Await.until(Duration.ofMillis(2500), () -> {
      System.gc();
      return held.get() == null;
    });
  }
}
