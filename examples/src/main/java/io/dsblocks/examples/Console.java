package io.dsblocks.examples;

import java.io.PrintStream;
import java.util.Locale;

/** Progress output for demo scenarios: lines, and a progress bar for long steps. */
public final class Console {
  private final PrintStream out;
  private final boolean interactive;

  /**
   * Creates a console writing to {@code out}.
   *
   * @param out the stream
   * @param interactive whether to redraw the progress bar in place (a terminal)
   */
  public Console(PrintStream out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  /**
   * Prints one line, indented under the current scenario.
   *
   * @param format a {@link String#format} pattern
   * @param args its arguments
   */
  public void step(String format, Object... args) {
    out.println("  " + String.format(Locale.ROOT, format, args));
  }

  /**
   * Starts a progress bar for a step of {@code total} units.
   *
   * @param label what the step does
   * @param total number of units, at least 1
   * @return the bar; call {@link ProgressBar#update} and finally {@link ProgressBar#done}
   */
  public ProgressBar progress(String label, long total) {
    return new ProgressBar(label, Math.max(1, total));
  }

  /** A text progress bar; redrawn in place on a terminal, printed in 25% steps otherwise. */
  public final class ProgressBar {
    private static final int WIDTH = 30;
    private final String label;
    private final long total;
    private int lastShown = -1;

    private ProgressBar(String label, long total) {
      this.label = label;
      this.total = total;
    }

    /**
     * Reports progress.
     *
     * @param done units done so far
     */
    public void update(long done) {
      int percent = (int) Math.min(100, done * 100 / total);
      int granularity = interactive ? 2 : 25;
      if (percent / granularity == lastShown / granularity && percent != 100) {
        return;
      }
      lastShown = percent;
      int filled = percent * WIDTH / 100;
      String bar =
          String.format(
              Locale.ROOT,
              "  %-28s [%s%s] %3d%%",
              label,
              "#".repeat(filled),
              ".".repeat(WIDTH - filled),
              percent);
      if (interactive) {
        out.print("\r" + bar);
        out.flush();
      } else {
        out.println(bar);
      }
    }

    /** Marks the step complete. */
    public void done() {
      if (lastShown != 100) {
        update(total);
      }
      if (interactive) {
        out.println();
      }
    }
  }
}
