package io.dsblocks.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.block.TestObjectStores;
import io.dsblocks.storage.fs.FileStoreException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of tree operations (mkdir, mkdir -p, write, delete, recursive delete, rename,
 * reopen) on paths over a tiny alphabet, so that collisions, missing parents, files in the way and
 * moves into subtrees are frequent. Each operation's outcome (success, or the failure reason) must
 * match a model (a sorted map path to content, null for directories), and so must the whole tree.
 */
class FileStoreModelProperties {
  private static Path dir;
  private static ObjectStore store;
  private static final AtomicInteger STORES = new AtomicInteger();
  private static final String DIR = "\0dir";

  @BeforeContainer
  static void openStore() throws Exception {
    dir = Files.createTempDirectory("filestore-props");
    store = TestObjectStores.create(dir);
  }

  @AfterContainer
  static void closeStore() {
    store.close();
    TestObjectStores.deleteTree(dir);
  }

  @Property(tries = 10, seed = "31337")
  void behavesLikeTheModel(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String name = "m" + STORES.incrementAndGet();
    TreeMap<String, String> model = new TreeMap<>();
    model.put("/", DIR);
    FileStore fs = FileStores.create(store, name, () -> Instant.EPOCH);
    try {
      for (int op = 0; op < 60; op++) {
        String p = randomPath(r);
        FileStore cur = fs;
        int kind = r.nextInt(100);
        Reason expected;
        Runnable action;
        if (kind < 20) {
          expected = mkdir(model, p, false);
          action = () -> cur.createDirectory(p);
        } else if (kind < 30) {
          expected = mkdir(model, p, true);
          action = () -> cur.createDirectories(p);
        } else if (kind < 55) {
          String content = "c" + r.nextInt(1000);
          expected = write(model, p, content);
          action = () -> cur.write(p, bytes(content));
        } else if (kind < 65) {
          expected = delete(model, p, false);
          action = () -> cur.delete(p);
        } else if (kind < 72) {
          expected = delete(model, p, true);
          action = () -> cur.deleteRecursively(p);
        } else if (kind < 95) {
          String t = randomPath(r);
          expected = rename(model, p, t);
          action = () -> cur.rename(p, t);
        } else {
          fs.close();
          fs = FileStores.open(store, name, () -> Instant.EPOCH);
          continue;
        }
        Reason actual = null;
        try {
          action.run();
        } catch (FileStoreException e) {
          actual = e.reason();
        }
        Statistics.collect(actual == null ? "ok" : actual.name());
        assertThat(actual).as("op %d on %s, model %s", op, p, model).isEqualTo(expected);
        if (op % 5 == 0) {
          assertThat(snapshot(fs)).isEqualTo(model);
        }
      }
      assertThat(snapshot(fs)).isEqualTo(model);
    } finally {
      fs.close();
    }
  }

  private static String randomPath(SplittableRandom r) {
    int d = r.nextInt(10);
    int depth = d < 4 ? 1 : d < 8 ? 2 : 3;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append('/').append((char) ('a' + r.nextInt(2)));
    }
    return sb.toString();
  }

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String parentOf(String p) {
    int i = p.lastIndexOf('/');
    return i == 0 ? "/" : p.substring(0, i);
  }

  /** Walks the ancestors of p from the top: the first missing or file ancestor decides. */
  private static Reason parentProblem(Map<String, String> m, String p) {
    List<String> ancestors = new ArrayList<>();
    for (String a = parentOf(p); !a.equals("/"); a = parentOf(a)) {
      ancestors.add(0, a);
    }
    for (String a : ancestors) {
      String v = m.get(a);
      if (v == null) {
        return Reason.NOT_FOUND;
      }
      if (!v.equals(DIR)) {
        return Reason.NOT_A_DIRECTORY;
      }
    }
    return null;
  }

  private static Reason mkdir(TreeMap<String, String> m, String p, boolean parents) {
    if (parents) {
      String acc = "";
      for (String seg : p.substring(1).split("/")) {
        acc += "/" + seg;
        String v = m.get(acc);
        if (v != null && !v.equals(DIR)) {
          return Reason.NOT_A_DIRECTORY;
        }
      }
      acc = "";
      for (String seg : p.substring(1).split("/")) {
        acc += "/" + seg;
        m.put(acc, DIR);
      }
      return null;
    }
    Reason bad = parentProblem(m, p);
    if (bad != null) {
      return bad;
    }
    if (m.containsKey(p)) {
      return Reason.ALREADY_EXISTS;
    }
    m.put(p, DIR);
    return null;
  }

  private static Reason write(TreeMap<String, String> m, String p, String content) {
    Reason bad = parentProblem(m, p);
    if (bad != null) {
      return bad;
    }
    if (DIR.equals(m.get(p))) {
      return Reason.IS_A_DIRECTORY;
    }
    m.put(p, content);
    return null;
  }

  private static Reason delete(TreeMap<String, String> m, String p, boolean recursive) {
    Reason bad = parentProblem(m, p);
    if (bad != null) {
      return bad;
    }
    if (!m.containsKey(p)) {
      return Reason.NOT_FOUND;
    }
    Map<String, String> below = m.subMap(p + "/", p + "0"); // '0' follows '/'
    if (!below.isEmpty() && !recursive) {
      return Reason.DIRECTORY_NOT_EMPTY;
    }
    below.clear();
    m.remove(p);
    return null;
  }

  private static Reason rename(TreeMap<String, String> m, String s, String t) {
    if (t.startsWith(s + "/")) {
      return Reason.INVALID_MOVE;
    }
    Reason bad = parentProblem(m, s);
    if (bad != null) {
      return bad;
    }
    String moving = m.get(s);
    if (moving == null) {
      return Reason.NOT_FOUND;
    }
    if (s.equals(t)) {
      return null;
    }
    bad = parentProblem(m, t);
    if (bad != null) {
      return bad;
    }
    String existing = m.get(t);
    if (existing != null && (existing.equals(DIR) || moving.equals(DIR))) {
      return Reason.ALREADY_EXISTS;
    }
    Map<String, String> below = new TreeMap<>(m.subMap(s + "/", s + "0"));
    m.subMap(s + "/", s + "0").clear();
    m.remove(s);
    m.put(t, moving);
    for (Map.Entry<String, String> e : below.entrySet()) {
      m.put(t + e.getKey().substring(s.length()), e.getValue());
    }
    return null;
  }

  private static TreeMap<String, String> snapshot(FileStore fs) {
    TreeMap<String, String> out = new TreeMap<>();
    out.put("/", DIR);
    walk(fs, "/", out);
    return out;
  }

  private static void walk(FileStore fs, String d, TreeMap<String, String> out) {
    for (FileInfo f : fs.list(d)) {
      if (f.isDirectory()) {
        out.put(f.path(), DIR);
        walk(fs, f.path(), out);
      } else {
        try (InputStream in = fs.read(f.path())) {
          out.put(f.path(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
