package io.dsblocks.storage.internal.compress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic small "source files": a shared license header, imports from a common pool and a
 * class body of random identifiers, the shape of a JDK source tree at a few KiB per file.
 */
final class SampleTexts {

  private static final String HEADER =
      "/*\n"
          + " * Copyright (c) 2024, Example Corp. All rights reserved.\n"
          + " * DO NOT ALTER OR REMOVE COPYRIGHT NOTICES OR THIS FILE HEADER.\n"
          + " *\n"
          + " * This code is free software; you can redistribute it and/or modify it\n"
          + " * under the terms of the GNU General Public License version 2 only, as\n"
          + " * published by the Free Software Foundation.\n"
          + " *\n"
          + " * This code is distributed in the hope that it will be useful, but WITHOUT\n"
          + " * ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or\n"
          + " * FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License\n"
          + " * version 2 for more details (a copy is included in the LICENSE file that\n"
          + " * accompanied this code).\n"
          + " */\n\n";

  private static final String[] IMPORTS = {
    "java.util.List",
    "java.util.Map",
    "java.util.Objects",
    "java.io.IOException",
    "java.io.InputStream",
    "java.nio.ByteBuffer",
    "java.util.concurrent.ConcurrentHashMap",
    "java.util.function.Function",
    "java.util.stream.Collectors",
    "java.lang.reflect.Method",
    "java.security.AccessController",
    "java.util.Arrays",
    "java.util.Optional",
  };

  private static final String[] WORDS = {
    "value", "count", "buffer", "offset", "length", "result", "index", "name", "entry", "node",
    "handler", "context", "source", "target", "state", "config", "reader", "writer", "key", "map"
  };

  private SampleTexts() {}

  static List<byte[]> files(long seed, int count) {
    SplittableRandom r = new SplittableRandom(seed);
    List<byte[]> out = new ArrayList<>(count);
    for (int f = 0; f < count; f++) {
      StringBuilder sb = new StringBuilder(HEADER);
      sb.append("package example.pkg").append(r.nextInt(20)).append(";\n\n");
      for (int i = 0; i < 3 + r.nextInt(6); i++) {
        sb.append("import ").append(IMPORTS[r.nextInt(IMPORTS.length)]).append(";\n");
      }
      String cls = "Class" + f;
      sb.append("\n/**\n * Does things with ").append(word(r)).append(".\n */\n");
      sb.append("public final class ").append(cls).append(" {\n");
      for (int m = 0; m < 2 + r.nextInt(8); m++) {
        String a = word(r);
        String b = word(r);
        sb.append("\n    /**\n     * Returns the ")
            .append(a)
            .append(" for the given ")
            .append(b)
            .append(".\n     */\n");
        sb.append("    public int get")
            .append(cap(a))
            .append(m)
            .append("(int ")
            .append(b)
            .append(") {\n");
        sb.append("        Objects.requireNonNull(")
            .append(b)
            .append(", \"")
            .append(b)
            .append("\");\n");
        sb.append("        if (").append(b).append(" < 0) {\n");
        sb.append("            throw new IllegalArgumentException(\"")
            .append(b)
            .append(" must be >= 0 but was \" + ")
            .append(b)
            .append(");\n        }\n");
        sb.append("        return this.")
            .append(a)
            .append(" + ")
            .append(r.nextInt(1000))
            .append(";\n    }\n");
      }
      sb.append("}\n");
      out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String word(SplittableRandom r) {
    return WORDS[r.nextInt(WORDS.length)];
  }

  private static String cap(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
