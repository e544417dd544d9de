package io.dsblocks.storage.internal.fs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** Path syntax of the file store: validation and splitting. */
final class FsPaths {
  private FsPaths() {}

  static final int MAX_PATH_BYTES = 4096;
  static final int MAX_SEGMENT_BYTES = 255;
  private static final String[] ROOT = new String[0];

  /**
   * Splits a path into its segments ({@code "/"} has none).
   *
   * @throws IllegalArgumentException naming the argument, the path and the rule it breaks
   */
  static String[] parse(String path, String argument) {
    Objects.requireNonNull(path, argument);
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw bad(argument, path, "must be absolute (start with '/')");
    }
    if (path.indexOf('\0') >= 0) {
      throw bad(argument, path, "must not contain NUL");
    }
    int bytes = path.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PATH_BYTES) {
      throw bad(argument, path, "must be at most " + MAX_PATH_BYTES + " UTF-8 bytes, was " + bytes);
    }
    if (path.length() == 1) {
      return ROOT;
    }
    String[] segs = path.substring(1).split("/", -1);
    for (int i = 0; i < segs.length; i++) {
      String s = segs[i];
      if (s.isEmpty()) {
        throw bad(
            argument,
            path,
            i == segs.length - 1
                ? "must not end with '/'"
                : "must not contain empty segments ('//')");
      }
      if (s.equals(".") || s.equals("..")) {
        throw bad(argument, path, "must not contain '.' or '..' segments");
      }
      int sb = s.getBytes(StandardCharsets.UTF_8).length;
      if (sb > MAX_SEGMENT_BYTES) {
        throw bad(
            argument,
            path,
            "segments must be at most "
                + MAX_SEGMENT_BYTES
                + " UTF-8 bytes, segment "
                + i
                + " is "
                + sb);
      }
    }
    return segs;
  }

  private static IllegalArgumentException bad(String argument, String path, String rule) {
    String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
    return new IllegalArgumentException(
        argument
            + " "
            + rule
            + " (absolute, '/'-separated, no empty, '.' or '..' segments, no NUL) but was '"
            + shown.replace("\0", "\\0")
            + "'");
  }

  static String[] parent(String[] segs) {
    return Arrays.copyOf(segs, segs.length - 1);
  }

  static String join(String[] segs, int n) {
    if (n == 0) {
      return "/";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append('/').append(segs[i]);
    }
    return sb.toString();
  }

  static String child(String dir, String name) {
    return dir.equals("/") ? "/" + name : dir + "/" + name;
  }
}
