package io.actorkv.client;

import io.actorkv.base.Ticker;
import java.util.SplittableRandom;

/**
 * One connection's run: take the next due time from the pacer, wait for it, perform an operation,
 * and record its latency from the due time (see {@link Pacer}). Requests due before
 * {@code measureFrom} go to the warm-up tally; no request due at or after {@code end} is sent.
 * In an open loop, the requests due before {@code end} that a stall kept from being sent by then
 * count as {@link TargetClient#UNSENT} errors: dropped silently, a stall at the end of a run
 * vanished from it.
 */
final class ConnectionLoop implements Runnable {

  private final Ticker ticker;
  private final Pacer pacer;
  private final Workload workload;
  private final KeyChooser keys;
  private final SplittableRandom random;
  private final TargetClient client;
  private final long measureFrom;
  private final long end;
  private final Tally warmup = new Tally();
  private final Tally measured = new Tally();
  /** Read only after the thread has been joined, so it needs no volatile. */
  private long lastCompletion;

  ConnectionLoop(Ticker ticker, Pacer pacer, Workload workload, KeyChooser keys, SplittableRandom random,
      TargetClient client, long measureFrom, long end) {
    this.ticker = ticker;
    this.pacer = pacer;
    this.workload = workload;
    this.keys = keys;
    this.random = random;
    this.client = client;
    this.measureFrom = measureFrom;
    this.end = end;
    this.lastCompletion = measureFrom;
  }

  @Override
  public void run() {
    while (!Thread.currentThread().isInterrupted()) {
      long due = pacer.next();
      if (due >= end) return;
      ticker.sleepUntil(due);
      if (ticker.nanoTime() >= end) {
        if (pacer.scheduled()) {
          for (long unsent = due; unsent < end; unsent = pacer.next()) {
            (unsent < measureFrom ? warmup : measured).error(TargetClient.UNSENT);
          }
        }
        return;
      }
      Op op = workload.nextOp(random);
      String error = client.perform(op, keys.next());
      long done = ticker.nanoTime();
      Tally tally = due < measureFrom ? warmup : measured;
      if (error == null) {
        tally.success(done - due);
      } else {
        tally.error(error);
      }
      lastCompletion = done;
    }
  }

  Tally warmup() {
    return warmup;
  }

  Tally measured() {
    return measured;
  }

  /** When this connection's last answer arrived (the start of measurement if none did). */
  long lastCompletion() {
    return lastCompletion;
  }
}
