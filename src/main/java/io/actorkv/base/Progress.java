package io.actorkv.base;

import java.io.PrintStream;

/**
 * The line that shows a long run's progress (a benchmark, an audit): rewritten
 * in place on a terminal, one line each time otherwise.
 */
public final class Progress {

  private final PrintStream out;
  private final boolean terminal;
  private int shown;

  public Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  public void show(String line) {
    if (!terminal) {
      out.println(line);
      return;
    }
    out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
    out.flush();
    shown = line.length();
  }

  /** Ends the in-place line, so what is printed next starts on a line of its own. */
  public void finish() {
    if (terminal && shown > 0) out.println();
    shown = 0;
  }
}
