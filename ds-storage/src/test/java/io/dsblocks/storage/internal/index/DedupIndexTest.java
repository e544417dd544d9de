package io.dsblocks.storage.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

class DedupIndexTest {
  @TempDir Path dir;

  private static byte[] id(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return b;
  }

  @Test
  void lookupsOfNewChunksMostlySkipTheDiskAndKnownChunksAreFound() {
    int stored = 50_000;
    Random r = new Random(11);
    byte[][] ids = new byte[stored][];
    try (RepositoryDb db = RepositoryDb.open(dir, 8 << 20)) {
      DedupIndex index = DedupIndex.open(db, stored, 0.01);
      try (WriteBatch batch = new WriteBatch()) {
        for (int i = 0; i < stored; i++) {
          ids[i] = id(r);
          index.stage(
              batch, new IndexedChunk(ids[i], new ChunkLocation(1, 16 + 100L * i, 100, 90)));
        }
        db.write(batch, true);
      }
      for (byte[] id : ids) {
        index.published(id);
      }
      // New chunks: the filter should answer ~99 % of them from memory.
      int fresh = 100_000;
      for (int i = 0; i < fresh; i++) {
        assertThat(index.lookup(id(r))).isNull();
      }
      assertThat(index.lookups()).isEqualTo(fresh);
      long diskReads = index.lookups() - index.filterSkips();
      assertThat(diskReads).as("disk reads for new chunks").isLessThan(fresh / 50);
      // Known chunks: always found, with the right location.
      for (int i = 0; i < stored; i += 97) {
        assertThat(index.lookup(ids[i])).isEqualTo(new ChunkLocation(1, 16 + 100L * i, 100, 90));
      }
      assertThat(index.diskHits()).isEqualTo((stored + 96) / 97);
      assertThat(index.filterBytes()).isLessThan(stored * 2L); // bits, not a copy of the index
    }
    // Reopen: the filter is refilled from the on-disk ids, so nothing known is lost.
    try (RepositoryDb db = RepositoryDb.open(dir, 8 << 20)) {
      DedupIndex index = DedupIndex.open(db, 1024, 0.01);
      for (byte[] id : ids) {
        assertThat(index.lookup(id)).isNotNull();
      }
      assertThat(index.packEntries(1)).hasSize(stored);
      assertThat(index.packsWithEntries()).containsExactly(1L);
    }
  }
}
