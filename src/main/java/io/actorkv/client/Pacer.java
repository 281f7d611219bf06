package io.actorkv.client;

import io.actorkv.base.Ticker;
/**
 * When one connection's next request is due, which is also the time its latency is measured from.
 *
 * <p>Closed loop: a request is due as soon as the previous answer arrives, so the latency is the
 * service time. Open loop: requests are due on a fixed schedule whatever the server does. If an
 * answer comes late, the next request is already overdue: it is sent at once, and its latency
 * still counts from when it was due, so a stall shows in every request it delayed, not only in
 * the one that was waiting (the correction for coordinated omission).
 */
@FunctionalInterface
interface Pacer {

  /** The time (on the connection's {@link Ticker}) the next request is due. */
  long next();

  /** Whether requests are due on a schedule (open loop), so one not sent in time was omitted. */
  default boolean scheduled() {
    return false;
  }

  static Pacer closedLoop(Ticker ticker) {
    return ticker::nanoTime;
  }

  /** Due at {@code first}, then every {@code intervalNanos}; fractional intervals do not drift. */
  static Pacer openLoop(long first, double intervalNanos) {
    if (!(intervalNanos > 0)) throw new IllegalArgumentException("interval must be positive, not " + intervalNanos);
    return new Pacer() {
      private long sent;

      @Override
      public long next() {
        return first + (long) (sent++ * intervalNanos);
      }

      @Override
      public boolean scheduled() {
        return true;
      }
    };
  }
}
