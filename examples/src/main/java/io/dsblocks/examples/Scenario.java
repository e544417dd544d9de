package io.dsblocks.examples;

import java.util.List;

/**
 * One walk-through in the demo. Each module contributes one scenario (registered in {@link
 * Scenarios}) and a copyable, self-contained example class beside it.
 */
public interface Scenario {

  /**
   * Short id used on the command line, e.g. {@code ratelimit}.
   *
   * @return the id, lower case, no spaces
   */
  String id();

  /**
   * One-line description shown by {@code --list}.
   *
   * @return the description
   */
  String description();

  /**
   * Runs the scenario fully embedded (no external servers), printing progress through {@code out},
   * and returns what it measured for the summary table.
   *
   * @param out where to print progress
   * @return measurements, in display order
   * @throws Exception if the scenario fails
   */
  List<Measurement> run(Console out) throws Exception;

  /**
   * One row of the demo's summary table.
   *
   * @param name what was measured
   * @param value the value, formatted for display
   */
  record Measurement(String name, String value) {}
}
