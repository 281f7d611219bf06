package io.actorkv.base;

import java.util.concurrent.locks.LockSupport;

/**
 * Monotonic time in nanoseconds, injected wherever the node or the
 * benchmark client measures an interval, so that a test can move it.
 */
@FunctionalInterface
public interface Ticker {

  Ticker SYSTEM = System::nanoTime;

  long nanoTime();

  /** Returns at once if {@code deadline} has passed, else when it arrives (or the thread is interrupted). */
  default void sleepUntil(long deadline) {
    long remaining;
    while ((remaining = deadline - nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(remaining);
    }
  }
}
