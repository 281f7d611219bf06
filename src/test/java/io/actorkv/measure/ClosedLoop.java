package io.actorkv.measure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients of a measurement, each sending its next request when the last
 * one is answered (a closed loop), for a fixed time or until each runs out
 * of work.
 */
final class ClosedLoop {

  /** One request of client {@code client}, its {@code iteration}-th; false: this client has nothing left to do. */
  interface Step {
    boolean next(int client, long iteration) throws Exception;
  }

  private ClosedLoop() {}

  /**
   * Runs {@code clients} threads named after {@code name}, each calling
   * {@code step} until it answers false or {@code length} has passed;
   * answers the seconds the run took. The first exception of any client
   * stops the run and is thrown here.
   */
  static double run(int clients, Duration length, String name, Step step) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      threads.add(new Thread(() -> {
        try {
          for (long i = 0; !stop.get() && step.next(client, i); i++) {
            // the step is the work
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
          stop.set(true);
        }
      }, name + "-" + c));
    }
    long start = System.nanoTime();
    long deadline = start + length.toNanos();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) t.join(Math.max(1, left / 1_000_000));
    }
    stop.set(true);
    for (Thread t : threads) t.join();
    if (failure.get() != null) throw new IllegalStateException(name + " failed", failure.get());
    return (System.nanoTime() - start) / 1e9;
  }
}
