package io.dsblocks.storage.internal.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.TestStores;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.crypto.RepositoryKeys;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackFormatTest {
  @TempDir Path dir;

  private ChunkSealer sealer() {
    return RepositoryKeys.create(dir.resolve("keys"), TestStores.PASSPHRASE, TestStores.CHEAP)
        .sealer();
  }

  private static List<IndexedChunk> entries(int n) {
    Random r = new Random(n);
    List<IndexedChunk> out = new ArrayList<>();
    long off = PackFormat.HEADER_LENGTH;
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[32];
      r.nextBytes(id);
      int len = 44 + r.nextInt(5000);
      out.add(new IndexedChunk(id, new ChunkLocation(7, off, len, r.nextInt(9000))));
      off += len;
    }
    return out;
  }

  @Test
  void trailerRoundTripsAndIsBoundToItsPack() {
    ChunkSealer sealer = sealer();
    List<IndexedChunk> in = entries(100);
    byte[] t = PackFormat.trailer(7, in, sealer);
    byte[] footer = Arrays.copyOfRange(t, t.length - 16, t.length);
    int len = PackFormat.trailerLength(footer);
    assertThat(len).isEqualTo(t.length - 16);
    byte[] sealed = Arrays.copyOf(t, len);
    List<IndexedChunk> out = PackFormat.openTrailer(7, sealed, footer, sealer);
    assertThat(out).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(out.get(i).id()).isEqualTo(in.get(i).id());
      assertThat(out.get(i).location()).isEqualTo(in.get(i).location());
    }
    // The same bytes presented as another pack's trailer fail authentication.
    assertThatThrownBy(() -> PackFormat.openTrailer(8, sealed, footer, sealer))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("0000000000000008.pack: trailer failed authentication");
  }

  @Test
  void everyBitFlipInATrailerIsDetected() {
    ChunkSealer sealer = sealer();
    byte[] t = PackFormat.trailer(7, entries(3), sealer);
    for (int i = 0; i < t.length; i++) {
      byte[] bad = t.clone();
      bad[i] ^= 0x10;
      byte[] footer = Arrays.copyOfRange(bad, bad.length - 16, bad.length);
      int len = PackFormat.trailerLength(footer);
      if (len != t.length - 16) {
        continue; // footer damage: the length or magic no longer matches, found by the reader
      }
      byte[] sealed = Arrays.copyOf(bad, len);
      assertThatThrownBy(() -> PackFormat.openTrailer(7, sealed, footer, sealer))
          .as("flip at %d", i)
          .isInstanceOf(StorageCorruptionException.class);
    }
  }

  @Test
  void recordChecksCatchFlipsAndMismatches() {
    byte[] id = new byte[32];
    id[0] = 5;
    byte[] sealed = new byte[300];
    new Random(1).nextBytes(sealed);
    byte[] header = PackFormat.recordHeader(id, 1000, sealed);
    byte[] record = new byte[header.length + sealed.length];
    System.arraycopy(header, 0, record, 0, header.length);
    System.arraycopy(sealed, 0, record, header.length, sealed.length);
    assertThat(PackFormat.checkRecord(record, id, 1000)).isNull();
    for (int i = 0; i < record.length; i += 7) {
      byte[] bad = record.clone();
      bad[i] ^= 1;
      assertThat(PackFormat.checkRecord(bad, id, 1000)).as("flip at %d", i).isNotNull();
    }
    byte[] otherId = id.clone();
    otherId[1] = 9;
    assertThat(PackFormat.checkRecord(record, otherId, 1000)).contains("instead of the indexed");
    assertThat(PackFormat.checkRecord(record, id, 999)).contains("raw length");
    assertThat(PackFormat.checkRecord(Arrays.copyOf(record, 100), id, 1000))
        .contains("does not match the indexed length");
  }

  @Test
  void headersAndNamesRoundTrip() {
    assertThat(PackFormat.checkHeader(PackFormat.header(42), 42)).isNull();
    assertThat(PackFormat.checkHeader(PackFormat.header(42), 43)).contains("names pack 42");
    assertThat(PackFormat.checkHeader(new byte[16], 1)).isEqualTo("bad pack header magic");
    assertThat(PackFormat.fileName(42)).isEqualTo("000000000000002a.pack");
    assertThat(PackFormat.parseFileName("000000000000002a.pack")).isEqualTo(42);
    assertThat(PackFormat.parseFileName("x.pack")).isEqualTo(-1);
    assertThat(PackFormat.parseFileName("000000000000002a.tmp")).isEqualTo(-1);
  }
}
