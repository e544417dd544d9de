package io.dsblocks.loadbalancer.internal.config;

import java.util.Collection;

/** "Did you mean" for misspelt keys and names, by edit distance. Stateless and thread-safe. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * A hint naming the closest candidate, if one is close enough to be a likely typo.
   *
   * @param given what the user wrote
   * @param candidates what is allowed
   * @return {@code " (did you mean 'x'?)"} or the empty string
   */
  public static String didYouMean(String given, Collection<String> candidates) {
    String g = ConfigNode.normalize(given);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(g, ConfigNode.normalize(c));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    // A third of the length (at least 1, at most 3 edits): "stratgy" → strategy, "foo" → nothing.
    int allowed = Math.max(1, Math.min(3, g.length() / 3));
    return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
  }

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
