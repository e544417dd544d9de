package io.dsblocks.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteJournalTest {
  @TempDir Path dir;

  /** One record as written, for computing what recovery must return. */
  private record Written(String key, String value, boolean delete, long seq, long end) {}

  private List<Written> writeSample(Path file) {
    List<Written> out = new ArrayList<>();
    WriteJournal.Recovered<String, String> opened =
        WriteJournal.open(file, Codec.utf8(), Codec.utf8());
    try (WriteJournal<String, String> j = opened.journal()) {
      long seq = 0;
      String[][] ops = {
        {"a", "1"},
        {"b", "22"},
        {"a", "333"},
        {"c", null},
        {"DONE", "2"},
        {"d", "ünïcødé"},
        {"b", "4"},
        {"DONE", "3"},
        {"e", "x".repeat(40)}
      };
      for (String[] op : ops) {
        if (op[0].equals("DONE")) {
          j.appendDone(Long.parseLong(op[1]));
          out.add(new Written(null, null, false, Long.parseLong(op[1]), j.size()));
        } else {
          seq++;
          j.appendWrite(seq, op[0], op[1], op[1] == null);
          out.add(new Written(op[0], op[1], op[1] == null, seq, j.size()));
        }
      }
    }
    return out;
  }

  /** What a correct recovery of the records ending at or before {@code cut} returns. */
  private static List<String> expected(List<Written> records, long cut) {
    Map<String, Written> latest = new LinkedHashMap<>();
    List<Long> done = new ArrayList<>();
    for (Written w : records) {
      if (w.end() > cut) {
        break;
      }
      if (w.key() == null) {
        done.add(w.seq());
      } else {
        latest.put(w.key(), w);
      }
    }
    return latest.values().stream()
        .filter(w -> !done.contains(w.seq()))
        .sorted((x, y) -> Long.compare(x.seq(), y.seq()))
        .map(w -> w.key() + "=" + (w.delete() ? "<del>" : w.value()) + "@" + w.seq())
        .toList();
  }

  private static List<String> describe(List<WriteJournal.Replayed<String, String>> pending) {
    return pending.stream()
        .map(r -> r.key() + "=" + (r.delete() ? "<del>" : r.value()) + "@" + r.seq())
        .toList();
  }

  @Test
  void recoversEveryCompleteRecordAtEveryTruncationOffset() throws Exception {
    Path full = dir.resolve("full.journal");
    List<Written> records = writeSample(full);
    byte[] bytes = Files.readAllBytes(full);
    assertThat(bytes.length).isEqualTo(records.get(records.size() - 1).end());
    for (int cut = 0; cut <= bytes.length; cut++) {
      Path torn = dir.resolve("torn-" + cut);
      Files.write(torn, Arrays.copyOf(bytes, cut));
      long lastEnd = 0;
      long complete = 0;
      for (Written w : records) {
        if (w.end() <= cut) {
          lastEnd = w.end();
          complete++;
        }
      }
      WriteJournal.Recovered<String, String> r =
          WriteJournal.open(torn, Codec.utf8(), Codec.utf8());
      r.journal().close();
      assertThat(describe(r.recovery().pending()))
          .as("cut at %d", cut)
          .isEqualTo(expected(records, cut));
      assertThat(r.recovery().report().validRecords()).isEqualTo(complete);
      assertThat(r.recovery().report().truncatedBytes()).isEqualTo(cut - lastEnd);
      assertThat(r.recovery().report().truncatedAtOffset()).isEqualTo(lastEnd);
      assertThat(Files.size(torn)).as("file cut back to the last good record").isEqualTo(lastEnd);
      Files.delete(torn);
    }
    assertThat(expected(records, bytes.length))
        .containsExactly("c=<del>@4", "d=ünïcødé@5", "b=4@6", "e=" + "x".repeat(40) + "@7");
  }

  @Test
  void aCorruptByteCutsTheJournalThereAndAppendsContinueAfterIt() throws Exception {
    Path file = dir.resolve("corrupt.journal");
    List<Written> records = writeSample(file);
    byte[] bytes = Files.readAllBytes(file);
    int victim = 5; // the record of "d"
    long start = records.get(victim - 1).end();
    bytes[(int) start + 12] ^= 0x40;
    Files.write(file, bytes);
    WriteJournal.Recovered<String, String> r = WriteJournal.open(file, Codec.utf8(), Codec.utf8());
    assertThat(r.recovery().report().truncatedAtOffset()).isEqualTo(start);
    assertThat(r.recovery().report().truncated()).isTrue();
    assertThat(describe(r.recovery().pending())).isEqualTo(expected(records, start));
    try (WriteJournal<String, String> j = r.journal()) {
      j.appendWrite(100, "z", "after", false);
    }
    WriteJournal.Recovered<String, String> again =
        WriteJournal.open(file, Codec.utf8(), Codec.utf8());
    again.journal().close();
    assertThat(again.recovery().report().truncated()).isFalse();
    assertThat(describe(again.recovery().pending())).last().isEqualTo("z=after@100");
    assertThat(again.recovery().maxSeq()).isEqualTo(100);
  }
}
