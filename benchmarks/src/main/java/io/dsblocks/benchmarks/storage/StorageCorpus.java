package io.dsblocks.benchmarks.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Benchmark input that nobody here wrote: the first files of the Temurin 25 JDK's {@code
 * lib/src.zip} (Java sources, the data the storage benchmarks in issue 7 back up), concatenated and
 * cut to an exact size so throughput converts to MiB/s exactly. If the archive is missing, a seeded
 * synthetic Java-like text stands in, and the output says so.
 *
 * <p>Loaded once per JVM (each JMH fork) and shared by every benchmark in it.
 */
final class StorageCorpus {

  /** The archive; override with {@code -Ddsblocks.corpus=/path/to/src.zip}. */
  static final Path SRC_ZIP =
      Path.of(
          System.getProperty("dsblocks.corpus", "/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip"));

  /** 32 MiB: large enough to defeat the L3 cache, small enough to load in a second. */
  static final int SIZE = 32 << 20;

  private static byte[] data;

  private StorageCorpus() {}

  static synchronized byte[] get() {
    if (data == null) {
      data = load();
    }
    return data;
  }

  private static byte[] load() {
    if (Files.isRegularFile(SRC_ZIP)) {
      try (ZipFile zip = new ZipFile(SRC_ZIP.toFile())) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + (1 << 20));
        int files = 0;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements() && out.size() < SIZE) {
          ZipEntry e = entries.nextElement();
          if (e.isDirectory()) {
            continue;
          }
          try (InputStream in = zip.getInputStream(e)) {
            in.transferTo(out);
          }
          files++;
        }
        if (out.size() >= SIZE) {
          System.out.printf(
              "[corpus] %d MiB of real data: the first %d files of %s%n",
              SIZE >> 20, files, SRC_ZIP);
          return Arrays.copyOf(out.toByteArray(), SIZE);
        }
        System.out.printf(
            "[corpus] %s holds only %d bytes; using synthetic text%n", SRC_ZIP, out.size());
      } catch (IOException e) {
        System.out.printf("[corpus] cannot read %s (%s); using synthetic text%n", SRC_ZIP, e);
      }
    } else {
      System.out.printf(
          "[corpus] %s not found: using SYNTHETIC seeded Java-like text; numbers are not comparable"
              + " with runs on the real corpus%n",
          SRC_ZIP);
    }
    return synthetic();
  }

  /** Seeded Java-like text: a shared header per "file", a vocabulary of identifiers, numbers. */
  private static byte[] synthetic() {
    String[] words = {
      "public", "private", "static", "final", "class", "int", "long", "return", "if", "else",
      "for", "while", "new", "this", "null", "true", "false", "void", "String", "Object",
      "value", "count", "buffer", "offset", "length", "result", "index", "name", "node", "map"
    };
    String header =
        "/*\n * Copyright (c) 2025, Oracle and/or its affiliates. All rights reserved.\n"
            + " * DO NOT ALTER OR REMOVE COPYRIGHT NOTICES OR THIS FILE HEADER.\n */\n\n";
    SplittableRandom r = new SplittableRandom(2025);
    ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + 4096);
    StringBuilder sb = new StringBuilder();
    while (out.size() < SIZE) {
      sb.setLength(0);
      sb.append(header).append("package p").append(r.nextInt(100)).append(";\n\n");
      int lines = 50 + r.nextInt(400);
      for (int l = 0; l < lines; l++) {
        sb.append("    ".repeat(1 + r.nextInt(3)));
        int tokens = 2 + r.nextInt(10);
        for (int t = 0; t < tokens; t++) {
          sb.append(
              r.nextInt(8) == 0
                  ? Integer.toString(r.nextInt(10_000))
                  : words[r.nextInt(words.length)]);
          sb.append(t + 1 < tokens ? " " : ";\n");
        }
      }
      byte[] file = sb.toString().getBytes(StandardCharsets.US_ASCII);
      out.write(file, 0, file.length);
    }
    return Arrays.copyOf(out.toByteArray(), SIZE);
  }
}
