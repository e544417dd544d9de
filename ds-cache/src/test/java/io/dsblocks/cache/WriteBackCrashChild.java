package io.dsblocks.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * Child JVM of {@link WriteBackCrashIntegrationTest}: recovers a write-back cache from its journal,
 * then puts {@code count} values starting at {@code start}, printing {@code ACK i} after each put
 * returns. The parent kills it at a random moment.
 *
 * <p>Arguments: journal, store log, start index, count, number of keys.
 */
public final class WriteBackCrashChild {
  private WriteBackCrashChild() {}

  /**
   * A store that appends {@code key=index} lines to a file, like a log-structured database. Opening
   * it cuts a half-written last line (the process may have died mid-write).
   */
  static final class FileLogStore implements CacheStore<String, String> {
    private final OutputStream out;

    FileLogStore(Path file) throws IOException {
      if (Files.exists(file)) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
          long end = raf.length();
          while (end > 0) {
            raf.seek(end - 1);
            if (raf.read() == '\n') {
              break;
            }
            end--;
          }
          raf.setLength(end);
        }
      }
      out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public String load(String key) {
      return null;
    }

    @Override
    public synchronized void write(String key, String value) throws IOException {
      out.write((key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void delete(String key) {
      throw new UnsupportedOperationException("not used by the crash test");
    }

    @Override
    public synchronized void writeAll(Map<String, String> entries) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, String> e : entries.entrySet()) {
        sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  /**
   * Runs the child.
   *
   * @param args journal, store log, start, count, keys
   * @throws Exception on any failure (the parent sees a missing DONE)
   */
  public static void main(String[] args) throws Exception {
    Path journal = Path.of(args[0]);
    Path storeFile = Path.of(args[1]);
    int start = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    int keys = Integer.parseInt(args[4]);
    FileLogStore store = new FileLogStore(storeFile);
    long[] replayed = {-1};
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .name("crash-child")
                .maximumSize(16)
                .listener(
                    new CacheListener<>() {
                      @Override
                      public void onJournalRecovered(JournalReport report) {
                        replayed[0] = report.replayedWrites();
                      }
                    })
                .writeBack(
                    store,
                    WriteBackConfig.<String, String>builder()
                        .maxBatchSize(8)
                        .maxDelay(Duration.ofMillis(1))
                        .journal(journal, Codec.utf8(), Codec.utf8(), FsyncPolicy.NEVER)
                        .build())
                .build());
    System.out.println("READY " + replayed[0]);
    System.out.flush();
    for (int i = start; i < start + count; i++) {
      cache.put("k" + (i % keys), Integer.toString(i));
      System.out.println("ACK " + i);
      System.out.flush();
    }
    cache.close();
    System.out.println("DONE");
    System.out.flush();
  }
}
