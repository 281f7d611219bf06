package io.actorkv.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling, never for a fixed time. */
public final class Await {
  private Await() {}

  public static void until(Duration timeout, BooleanSupplier condition) {
    if (!poll(timeout, condition)) throw new AssertionError("condition not met within " + timeout);
  }

  /** Polls the condition until it holds (true) or the time is up (false). */
  public static boolean poll(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) return false;
      pause(50);
    }
    return true;
  }

  /** Retries an assertion until it passes or the time is up; the last failure is rethrown. */
  public static void assertEventually(Duration timeout, Runnable assertion) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) throw e;
      }
      pause(100);
    }
  }

  /** The interval between two looks at a condition. */
  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
