package io.dsblocks.benchmarks.cache.sim;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.EvictionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trace-driven hit-rate simulator: replays seeded synthetic traces (Zipf with s = 0.7, 0.9, 1.1; a
 * scan-polluted Zipf; a loop) through {@link DsCache} with each {@link EvictionPolicy} at several
 * sizes, and writes a Markdown table and an SVG chart.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.dsblocks.benchmarks.cache.sim.HitRateSimulator \
 *     [outDir] [requests]
 * </pre>
 *
 * <p>Every request is "get; on a miss, put" — a cache-aside client. W-TinyLFU maintenance runs on
 * the calling thread ({@code executor(Runnable::run)}) so results are deterministic.
 */
public final class HitRateSimulator {
  /** Cache sizes simulated, in entries. */
  static final int[] SIZES = {250, 1_000, 2_500, 5_000, 10_000};

  private static final long SEED = 20261127L;
  private static final int ITEMS = 100_000;

  private HitRateSimulator() {}

  /** One simulated configuration's outcome. */
  record Result(String trace, EvictionPolicy policy, int size, long requests, long hits) {
    double hitRate() {
      return requests == 0 ? 0 : (double) hits / requests;
    }
  }

  /**
   * Runs the simulation.
   *
   * @param args optional output directory (default {@code benchmarks/results}) and number of Zipf
   *     requests per trace (default 500000)
   * @throws IOException if the output cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path outDir = Path.of(args.length > 0 ? args[0] : "benchmarks/results");
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
    Files.createDirectories(outDir);

    Map<String, long[]> traces = traces(requests);
    List<Result> results = new ArrayList<>();
    int total = traces.size() * SIZES.length * EvictionPolicy.values().length;
    int done = 0;
    for (Map.Entry<String, long[]> t : traces.entrySet()) {
      for (int size : SIZES) {
        for (EvictionPolicy policy : EvictionPolicy.values()) {
          results.add(simulate(t.getKey(), t.getValue(), policy, size));
          done++;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "[%3d/%3d] simulated %s at %d sizes%n",
          done,
          total,
          t.getKey(),
          SIZES.length);
    }
    String md = markdown(results, requests);
    Files.writeString(outDir.resolve("hitrate.md"), md, StandardCharsets.UTF_8);
    Files.writeString(outDir.resolve("hitrate.svg"), svg(results), StandardCharsets.UTF_8);
    System.out.print(md);
    System.out.println("Wrote " + outDir.resolve("hitrate.md") + " and hitrate.svg");
  }

  /**
   * Builds the standard traces.
   *
   * @param requests Zipf requests per trace
   * @return traces by name, in display order
   */
  static Map<String, long[]> traces(int requests) {
    Map<String, long[]> traces = new LinkedHashMap<>();
    traces.put("zipf s=0.7", Traces.zipf(ITEMS, requests, 0.7, SEED));
    traces.put("zipf s=0.9", Traces.zipf(ITEMS, requests, 0.9, SEED + 1));
    traces.put("zipf s=1.1", Traces.zipf(ITEMS, requests, 1.1, SEED + 2));
    // A 20k-key one-off scan after every 20k Zipf requests: half the traffic is scans.
    traces.put(
        "zipf 0.9 + scans",
        Traces.scanPollutedZipf(ITEMS, requests, 0.9, 20_000, 20_000, SEED + 3));
    // A loop slightly longer than the largest cache simulated.
    traces.put("loop 12k", Traces.loop(12_000, requests));
    return traces;
  }

  /**
   * Replays one trace through a cache-aside client.
   *
   * @param name trace name
   * @param trace the keys
   * @param policy the eviction policy
   * @param size maximum entries
   * @return hits and requests
   */
  static Result simulate(String name, long[] trace, EvictionPolicy policy, int size) {
    CacheConfig<Long, Boolean> config =
        CacheConfig.<Long, Boolean>builder()
            .name("sim")
            .policy(policy)
            .maximumSize(size)
            .executor(Runnable::run)
            .build();
    long hits = 0;
    try (DsCache<Long, Boolean> cache = Caches.create(config)) {
      for (long key : trace) {
        Long boxed = key;
        if (cache.getIfPresent(boxed) != null) {
          hits++;
        } else {
          cache.put(boxed, Boolean.TRUE);
        }
      }
    }
    return new Result(name, policy, size, trace.length, hits);
  }

  static String markdown(List<Result> results, int requests) {
    StringBuilder md = new StringBuilder();
    md.append("Hit rates (%), cache-aside replay, ")
        .append(requests)
        .append(" Zipf requests per trace over ")
        .append(ITEMS)
        .append(" keys, seed ")
        .append(SEED)
        .append(".\n\n| trace | size |");
    for (EvictionPolicy p : EvictionPolicy.values()) {
      md.append(' ').append(p).append(" |");
    }
    md.append("\n|---|---:|");
    for (int i = 0; i < EvictionPolicy.values().length; i++) {
      md.append("---:|");
    }
    md.append('\n');
    for (int i = 0; i < results.size(); i += EvictionPolicy.values().length) {
      Result first = results.get(i);
      md.append("| ").append(first.trace()).append(" | ").append(first.size()).append(" |");
      for (int j = 0; j < EvictionPolicy.values().length; j++) {
        md.append(String.format(Locale.ROOT, " %.2f |", 100 * results.get(i + j).hitRate()));
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** One small line chart per trace: hit rate against cache size, a line per policy. */
  static String svg(List<Result> results) {
    Map<String, List<Result>> byTrace = new LinkedHashMap<>();
    for (Result r : results) {
      byTrace.computeIfAbsent(r.trace(), k -> new ArrayList<>()).add(r);
    }
    String[] colours = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    int panelW = 300;
    int panelH = 220;
    int cols = 3;
    int rows = (byTrace.size() + cols - 1) / cols;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n",
            cols * panelW,
            rows * panelH + 40));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    EvictionPolicy[] policies = EvictionPolicy.values();
    for (int p = 0; p < policies.length; p++) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"10\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"20\">%s</text>%n",
              10 + p * 170,
              colours[p],
              26 + p * 170,
              policies[p]));
    }
    int panel = 0;
    for (Map.Entry<String, List<Result>> e : byTrace.entrySet()) {
      int ox = (panel % cols) * panelW + 40;
      int oy = (panel / cols) * panelH + 40;
      int w = panelW - 60;
      int h = panelH - 60;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
              ox,
              oy + 10,
              e.getKey()));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>%n",
              ox,
              oy + 20,
              w,
              h));
      double max = 0;
      for (Result r : e.getValue()) {
        max = Math.max(max, r.hitRate());
      }
      max = max <= 0 ? 1 : Math.min(1, Math.ceil(max * 10) / 10);
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f%%</text>"
                  + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0%%</text>%n",
              ox - 4,
              oy + 28,
              max * 100,
              ox - 4,
              oy + 20 + h));
      for (int s = 0; s < SIZES.length; s++) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                ox + xPos(s, w),
                oy + 34 + h,
                SIZES[s]));
      }
      for (int p = 0; p < policies.length; p++) {
        StringBuilder points = new StringBuilder();
        for (Result r : e.getValue()) {
          if (r.policy() != policies[p]) {
            continue;
          }
          int s = indexOf(r.size());
          points.append(
              String.format(
                  Locale.ROOT, "%.1f,%.1f ", ox + xPos(s, w), oy + 20 + h - r.hitRate() / max * h));
        }
        svg.append(
            String.format(
                Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                colours[p],
                points.toString().trim()));
      }
      panel++;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double xPos(int sizeIndex, int width) {
    return (double) sizeIndex / (SIZES.length - 1) * width;
  }

  private static int indexOf(int size) {
    for (int i = 0; i < SIZES.length; i++) {
      if (SIZES[i] == size) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a simulated size: " + size);
  }
}
