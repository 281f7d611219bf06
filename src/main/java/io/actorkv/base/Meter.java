package io.actorkv.base;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Counts what a long run has done (events audited, rows backed up) and shows
 * the count and rate on its {@link Progress} line about once a second, and
 * once more at the end.
 */
public final class Meter {

  private final String unit;
  private final String verb;
  private final Progress line;
  private final long start = System.nanoTime();
  private long count;
  private long shownAt = start;

  /** Shows "{@code n unit verb in s (r unit/s)}", e.g. "1,024 rows written in 0.3 s (3,413 rows/s)". */
  public Meter(PrintStream out, boolean terminal, String unit, String verb) {
    this.unit = unit;
    this.verb = verb;
    this.line = new Progress(out, terminal);
  }

  public void tick() {
    count++;
    if ((count & 1023) == 0) {
      long now = System.nanoTime();
      if (now - shownAt >= 1_000_000_000L) {
        shownAt = now;
        line.show(summary(now));
      }
    }
  }

  public long count() {
    return count;
  }

  /** Ends the line without a final count: the run stopped short, and its caller says why. */
  public void stop() {
    line.finish();
  }

  /** Shows the final count and ends the line. */
  public void done() {
    line.show(summary(System.nanoTime()));
    line.finish();
  }

  private String summary(long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    return String.format(Locale.ROOT, "%,d %s %s in %.1f s (%,.0f %s/s)", count, unit, verb, seconds,
        count / seconds, unit);
  }
}
