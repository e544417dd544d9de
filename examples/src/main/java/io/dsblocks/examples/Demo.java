package io.dsblocks.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dsblocks demo: walks through one scenario per module, fully embedded, and ends with a summary
 * table of what it measured.
 *
 * <pre>
 * java -jar examples/target/dsblocks-demo.jar            # every scenario
 * java -jar examples/target/dsblocks-demo.jar ratelimit  # only the named ones
 * java -jar examples/target/dsblocks-demo.jar --list
 * java -jar examples/target/dsblocks-demo.jar --help
 * </pre>
 */
public final class Demo {
  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code --help}, {@code --list}, or scenario ids (none = all)
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /**
   * Runs the demo and returns its exit status (0 ok, 1 a scenario failed, 2 bad arguments).
   *
   * @param args the command-line arguments
   * @param out standard output
   * @param err standard error
   * @param interactive whether {@code out} is a terminal
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err, boolean interactive) {
    List<Scenario> all = Scenarios.all();
    Map<String, Scenario> byId = new LinkedHashMap<>();
    for (Scenario s : all) {
      byId.put(s.id(), s);
    }
    List<Scenario> selected = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "-h", "--help" -> {
          printHelp(out, byId);
          return 0;
        }
        case "-l", "--list" -> {
          printList(out, byId);
          return 0;
        }
        default -> {
          Scenario s = byId.get(arg);
          if (s == null) {
            err.println("Unknown scenario or option '" + arg + "'.");
            printList(err, byId);
            return 2;
          }
          selected.add(s);
        }
      }
    }
    if (selected.isEmpty()) {
      selected.addAll(all);
    }

    out.println("dsblocks demo: " + selected.size() + " scenario(s)");
    Console console = new Console(out, interactive);
    List<String[]> rows = new ArrayList<>();
    int failures = 0;
    int index = 0;
    for (Scenario s : selected) {
      index++;
      out.printf(
          Locale.ROOT, "%n[%d/%d] %s: %s%n", index, selected.size(), s.id(), s.description());
      long start = System.nanoTime();
      try {
        for (Scenario.Measurement m : s.run(console)) {
          rows.add(new String[] {s.id(), m.name(), m.value()});
        }
        rows.add(new String[] {s.id(), "scenario time", formatMillis(System.nanoTime() - start)});
      } catch (Exception | AssertionError e) {
        failures++;
        rows.add(new String[] {s.id(), "FAILED", String.valueOf(e)});
        e.printStackTrace(err);
      }
    }
    printSummary(out, rows);
    return failures == 0 ? 0 : 1;
  }

  private static String formatMillis(long nanos) {
    return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
  }

  private static void printHelp(PrintStream out, Map<String, Scenario> byId) {
    out.println("Usage: java -jar dsblocks-demo.jar [--help] [--list] [SCENARIO...]");
    out.println();
    out.println("Walks through one scenario per dsblocks module, fully embedded (no external");
    out.println("servers), and prints a summary table. With no SCENARIO, runs all of them.");
    out.println();
    out.println("  -h, --help   show this help");
    out.println("  -l, --list   list the scenarios");
    out.println();
    printList(out, byId);
  }

  private static void printList(PrintStream out, Map<String, Scenario> byId) {
    out.println("Scenarios:");
    for (Scenario s : byId.values()) {
      out.printf(Locale.ROOT, "  %-14s %s%n", s.id(), s.description());
    }
  }

  private static void printSummary(PrintStream out, List<String[]> rows) {
    int[] width = {"scenario".length(), "measurement".length(), "value".length()};
    for (String[] r : rows) {
      for (int i = 0; i < 3; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    String format = "| %-" + width[0] + "s | %-" + width[1] + "s | %" + width[2] + "s |%n";
    out.println();
    out.println("Summary");
    out.printf(Locale.ROOT, format, "scenario", "measurement", "value");
    out.printf(
        Locale.ROOT,
        "|%s|%s|%s|%n",
        "-".repeat(width[0] + 2),
        "-".repeat(width[1] + 2),
        "-".repeat(width[2] + 2));
    for (String[] r : rows) {
      out.printf(Locale.ROOT, format, (Object[]) r);
    }
  }
}
