package io.dsblocks.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.RetentionPolicy;
import io.dsblocks.storage.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;

  @Test
  void aYearOfDailySnapshotsKeepsExactlyTheExpectedOnes() {
    Instant[] now = {Instant.parse("2023-01-01T12:00:00Z")};
    try (DefaultObjectStore s =
        TestStores.create(dir, TestStores.small().clock(() -> now[0]).build())) {
      for (int day = 0; day < 365; day++) {
        now[0] = Instant.parse("2023-01-01T12:00:00Z").plusSeconds(86_400L * day);
        s.snapshots().create("daily");
      }
      RetentionPolicy policy =
          RetentionPolicy.builder().keepLast(3).keepDaily(7).keepWeekly(4).keepMonthly(12).build();
      List<Snapshot> wouldGo = s.snapshots().applyRetention(policy, true);
      assertThat(s.snapshots().list()).hasSize(365);
      List<Snapshot> gone = s.snapshots().applyRetention(policy, false);
      assertThat(gone).isEqualTo(wouldGo);
      TreeSet<String> kept = new TreeSet<>();
      for (Snapshot snap : s.snapshots().list()) {
        kept.add(LocalDate.ofInstant(snap.created(), ZoneOffset.UTC).toString());
      }
      TreeSet<String> expected = new TreeSet<>();
      for (int d = 25; d <= 31; d++) {
        expected.add("2023-12-" + d); // last 3 and daily 7
      }
      // ISO weeks end on Sunday: the newest of each of the last four weeks.
      expected.addAll(List.of("2023-12-24", "2023-12-17", "2023-12-10"));
      expected.addAll(
          List.of(
              "2023-01-31",
              "2023-02-28",
              "2023-03-31",
              "2023-04-30",
              "2023-05-31",
              "2023-06-30",
              "2023-07-31",
              "2023-08-31",
              "2023-09-30",
              "2023-10-31",
              "2023-11-30"));
      assertThat(kept).isEqualTo(expected);
      assertThat(gone).hasSize(365 - expected.size());
    }
  }

  @Test
  void badPoliciesFailAtBuild() {
    assertThatThrownBy(() -> RetentionPolicy.builder().keepDaily(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepDaily must be >= 0 but was -1");
    assertThatThrownBy(() -> RetentionPolicy.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one");
  }
}
