package io.dsblocks.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a JMH JSON result file ({@code -rf json}) as a Markdown table and an SVG bar chart.
 *
 * <p>Rows are grouped by benchmark method, mode, thread count and every parameter except {@code
 * impl}; within a group, each {@code impl} value is one row. The "vs best peer" column says how
 * many times faster a row is than the fastest peer in its group ({@code > 1} = faster, whatever the
 * mode): a peer is any {@code impl} whose name does not start with {@code dsblocks}. Groups without
 * peers are compared with their own best row instead.
 *
 * <pre>
 * java -cp benchmarks.jar io.dsblocks.benchmarks.report.JmhReport results.json out.md out.svg
 * </pre>
 */
public final class JmhReport {
  private static final String ALLOC_NORM = "gc.alloc.rate.norm";

  private JmhReport() {}

  /** One benchmark result row. */
  record Row(
      String benchmark,
      String mode,
      int threads,
      Map<String, String> params,
      String impl,
      double score,
      double error,
      String unit,
      double allocBytesPerOp) {

    boolean isOurs() {
      return impl == null || impl.startsWith("dsblocks");
    }

    boolean higherIsBetter() {
      return mode.equals("thrpt");
    }

    String groupKey() {
      return benchmark + " | " + mode + " | " + threads + " | " + params;
    }

    String shortName() {
      String[] parts = benchmark.split("\\.");
      return parts.length >= 2
          ? parts[parts.length - 2] + "." + parts[parts.length - 1]
          : benchmark;
    }

    String paramText() {
      StringBuilder sb = new StringBuilder();
      params.forEach(
          (k, v) -> {
            if (sb.length() > 0) {
              sb.append(", ");
            }
            sb.append(k).append('=').append(v);
          });
      return sb.toString();
    }
  }

  /**
   * Command-line entry point.
   *
   * @param args input JSON, output Markdown, output SVG
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: JmhReport <results.json> <out.md> <out.svg>");
      System.exit(2);
    }
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    List<Row> rows = parse(json);
    Map<String, String> env = environment(json);
    Files.writeString(Path.of(args[1]), markdown(rows, env, args[0]), StandardCharsets.UTF_8);
    Files.writeString(Path.of(args[2]), svg(rows), StandardCharsets.UTF_8);
    System.out.printf(
        Locale.ROOT, "Rendered %d result rows to %s and %s%n", rows.size(), args[1], args[2]);
  }

  /**
   * Parses JMH JSON results into rows.
   *
   * @param json the content of a {@code -rf json} file
   * @return one row per result, in file order
   */
  static List<Row> parse(String json) {
    List<Row> rows = new ArrayList<>();
    for (Object o : asList(Json.parse(json))) {
      Map<String, Object> r = asMap(o);
      Map<String, String> params = new TreeMap<>();
      String impl = null;
      Object rawParams = r.get("params");
      if (rawParams != null) {
        for (Map.Entry<String, Object> e : asMap(rawParams).entrySet()) {
          if (e.getKey().equals("impl")) {
            impl = String.valueOf(e.getValue());
          } else {
            params.put(e.getKey(), String.valueOf(e.getValue()));
          }
        }
      }
      Map<String, Object> primary = asMap(r.get("primaryMetric"));
      double alloc = Double.NaN;
      Object secondary = r.get("secondaryMetrics");
      if (secondary != null) {
        for (Map.Entry<String, Object> e : asMap(secondary).entrySet()) {
          // JMH prefixes profiler metrics with a middle dot; match on the suffix.
          if (e.getKey().endsWith(ALLOC_NORM)) {
            alloc = number(asMap(e.getValue()).get("score"));
          }
        }
      }
      rows.add(
          new Row(
              String.valueOf(r.get("benchmark")),
              String.valueOf(r.get("mode")),
              (int) number(r.get("threads")),
              params,
              impl,
              number(primary.get("score")),
              number(primary.get("scoreError")),
              String.valueOf(primary.get("scoreUnit")),
              alloc));
    }
    return rows;
  }

  /**
   * Returns "times faster than the best peer" for each row (1.0 = as fast; NaN if undefined).
   *
   * @param rows all rows
   * @return ratios keyed by row identity, in row order
   */
  static Map<Row, Double> ratios(List<Row> rows) {
    Map<String, List<Row>> groups = groups(rows);
    Map<Row, Double> result = new LinkedHashMap<>();
    for (List<Row> group : groups.values()) {
      List<Row> peers = new ArrayList<>();
      for (Row r : group) {
        if (!r.isOurs()) {
          peers.add(r);
        }
      }
      List<Row> reference = peers.isEmpty() ? group : peers;
      Row best = null;
      for (Row r : reference) {
        if (best == null || better(r, best)) {
          best = r;
        }
      }
      for (Row r : group) {
        double ratio;
        if (best == null || best.score() == 0 || r.score() == 0) {
          ratio = Double.NaN;
        } else {
          ratio = r.higherIsBetter() ? r.score() / best.score() : best.score() / r.score();
        }
        result.put(r, ratio);
      }
    }
    return result;
  }

  private static boolean better(Row a, Row b) {
    return a.higherIsBetter() ? a.score() > b.score() : a.score() < b.score();
  }

  private static Map<String, List<Row>> groups(List<Row> rows) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.groupKey(), k -> new ArrayList<>()).add(r);
    }
    return groups;
  }

  /**
   * Renders the Markdown report.
   *
   * @param rows the rows
   * @param env JVM/JMH facts from the first result
   * @param source name of the JSON file
   * @return Markdown text
   */
  static String markdown(List<Row> rows, Map<String, String> env, String source) {
    Map<Row, Double> ratios = ratios(rows);
    StringBuilder md = new StringBuilder();
    md.append("## JMH results\n\n");
    md.append("Source: `").append(source).append("`");
    env.forEach((k, v) -> md.append(" · ").append(k).append(": ").append(v));
    md.append("\n\n");
    md.append(
        "\"vs best peer\" = times faster than the fastest peer in the same group"
            + " (> 1 is faster); error = JMH 99.9% confidence half-width.\n\n");
    md.append(
        "| benchmark | params | threads | impl | score | error | unit | B/op | vs best peer |\n");
    md.append("|---|---|---:|---|---:|---:|---|---:|---:|\n");
    for (Row r : rows) {
      md.append("| ")
          .append(r.shortName())
          .append(" | ")
          .append(r.paramText())
          .append(" | ")
          .append(r.threads())
          .append(" | ")
          .append(r.impl() == null ? "-" : (r.isOurs() ? "**" + r.impl() + "**" : r.impl()))
          .append(" | ")
          .append(fmt(r.score()))
          .append(" | ± ")
          .append(fmt(r.error()))
          .append(" | ")
          .append(r.unit())
          .append(" | ")
          .append(Double.isNaN(r.allocBytesPerOp()) ? "-" : fmt(r.allocBytesPerOp()))
          .append(" | ")
          .append(
              Double.isNaN(ratios.get(r))
                  ? "-"
                  : String.format(Locale.ROOT, "%.2f×", ratios.get(r)))
          .append(" |\n");
    }
    return md.toString();
  }

  /**
   * Renders a horizontal bar chart: one block per group, bars scaled to the group's largest score,
   * dsblocks in blue and peers in grey, with error whiskers.
   *
   * @param rows the rows
   * @return SVG text
   */
  static String svg(List<Row> rows) {
    Map<String, List<Row>> groups = groups(rows);
    Map<Row, Double> ratios = ratios(rows);
    int width = 960;
    int labelWidth = 230;
    int barMax = 480;
    int rowHeight = 20;
    int groupHeader = 26;
    int height = 40;
    for (List<Row> g : groups.values()) {
      height += groupHeader + g.size() * rowHeight + 8;
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            width,
            height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(
        "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
            + "dsblocks benchmarks (bars scaled per group; blue = dsblocks, grey = peers)</text>\n");
    int y = 40;
    for (List<Row> g : groups.values()) {
      Row first = g.get(0);
      String title =
          first.shortName()
              + " · "
              + first.mode()
              + " · "
              + first.threads()
              + " thread(s)"
              + (first.params().isEmpty() ? "" : " · " + first.paramText());
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
              y + 16,
              escape(title)));
      y += groupHeader;
      double max = 0;
      for (Row r : g) {
        // Scale to the scores, not score + error: one huge error bar would squash every bar.
        max = Math.max(max, r.score() * 1.15);
      }
      for (Row r : g) {
        double len = max == 0 ? 0 : r.score() / max * barMax;
        String colour = r.isOurs() ? "#1f77b4" : "#9e9e9e";
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                labelWidth - 8,
                y + 14,
                escape(r.impl() == null ? "-" : r.impl())));
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                labelWidth,
                y + 3,
                len,
                rowHeight - 6,
                colour));
        if (!Double.isNaN(r.error()) && max > 0) {
          double lo = Math.max(0, (r.score() - r.error()) / max * barMax);
          double hi = Math.min(barMax + 8, (r.score() + r.error()) / max * barMax);
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                  labelWidth + lo,
                  labelWidth + hi,
                  y + rowHeight / 2,
                  y + rowHeight / 2));
        }
        double ratio = ratios.get(r);
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\">%s ± %s %s%s</text>%n",
                labelWidth + barMax + 10,
                y + 14,
                fmt(r.score()),
                fmt(r.error()),
                escape(r.unit()),
                Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "  (%.2f×)", ratio)));
        y += rowHeight;
      }
      y += 8;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static Map<String, String> environment(String json) {
    Map<String, String> env = new LinkedHashMap<>();
    List<Object> all = asList(Json.parse(json));
    if (all.isEmpty()) {
      return env;
    }
    Map<String, Object> r = asMap(all.get(0));
    env.put("JMH", String.valueOf(r.get("jmhVersion")));
    env.put("JDK", String.valueOf(r.get("jdkVersion")) + " " + r.get("vmName"));
    env.put("forks", fmtInt(r.get("forks")));
    env.put(
        "warmup", fmtInt(r.get("warmupIterations")) + " × " + String.valueOf(r.get("warmupTime")));
    env.put(
        "measurement",
        fmtInt(r.get("measurementIterations")) + " × " + String.valueOf(r.get("measurementTime")));
    return env;
  }

  private static String fmtInt(Object o) {
    return o == null ? "?" : String.valueOf((long) number(o));
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    double a = Math.abs(v);
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.2e", v);
  }

  private static double number(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof String s) {
      // JMH writes "NaN" (a string) for the error of a single-iteration run.
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException("Expected a JSON object but found " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object o) {
    if (!(o instanceof List)) {
      throw new IllegalArgumentException("Expected a JSON array of JMH results but found " + o);
    }
    return (List<Object>) o;
  }
}
