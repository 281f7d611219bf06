package io.actorkv.client;

import java.util.concurrent.locks.LockSupport;

/** Monotonic time in nanoseconds and waiting for it; a fake one lets tests run schedules instantly. */
interface Ticker {

  long nanoTime();

  /** Returns at once if {@code deadline} has passed, else when it arrives (or the thread is interrupted). */
  void sleepUntil(long deadline);

  Ticker SYSTEM = new Ticker() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadline) {
      long remaining;
      while ((remaining = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(remaining);
      }
    }
  };
}
