package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static io.dsblocks.storage.internal.TestStores.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageStats;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreTest {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

  private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());

  private DefaultObjectStore create() {
    return TestStores.create(dir, small().clock(clock).build());
  }

  private static InputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }

  @Test
  void putThenGetReturnsTheSameBytesAndMetadataAcrossReopen() {
    Random r = new Random(1);
    byte[] a = random(r, 100_000);
    byte[] b = text(r, 50_000);
    ObjectInfo ia;
    try (DefaultObjectStore store = create()) {
      ia = store.put("docs/a.bin", in(a), Map.of("type", "application/octet-stream"));
      store.put("docs/b.txt", in(b), Map.of());
      assertThat(ia.size()).isEqualTo(a.length);
      assertThat(ia.created()).isEqualTo(Instant.ofEpochMilli(millis.get()));
      assertThat(readAll(store.get("docs/a.bin"))).isEqualTo(a);
    }
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThat(readAll(store.get("docs/a.bin"))).isEqualTo(a);
      assertThat(readAll(store.get("docs/b.txt"))).isEqualTo(b);
      assertThat(store.stat("docs/a.bin")).contains(ia);
      assertThat(store.stat("docs/a.bin").orElseThrow().metadata())
          .containsEntry("type", "application/octet-stream");
    }
  }

  @Test
  void emptyObjectRoundTrips() {
    try (DefaultObjectStore store = create()) {
      ObjectInfo info = store.put("empty", in(new byte[0]));
      assertThat(info.size()).isZero();
      assertThat(readAll(store.get("empty"))).isEmpty();
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("empty");
    }
  }

  @Test
  void versionsAreKeptAndReadableByIdNewestFirst() {
    try (DefaultObjectStore store = create()) {
      ObjectInfo v1 = store.put("k", in("one".getBytes(StandardCharsets.UTF_8)));
      millis.addAndGet(1000);
      ObjectInfo v2 = store.put("k", in("two".getBytes(StandardCharsets.UTF_8)));
      assertThat(v2.versionId()).isGreaterThan(v1.versionId());
      assertThat(v2.created()).isAfter(v1.created());
      assertThat(new String(readAll(store.get("k")), StandardCharsets.UTF_8)).isEqualTo("two");
      assertThat(new String(readAll(store.get("k", v1.versionId())), StandardCharsets.UTF_8))
          .isEqualTo("one");
      assertThat(store.versions("k")).containsExactly(v2, v1);
    }
  }

  @Test
  void deleteAddsAMarkerThatHidesTheKeyButKeepsOldVersions() {
    try (DefaultObjectStore store = create()) {
      ObjectInfo v1 = store.put("k", in(new byte[] {1, 2, 3}));
      assertThat(store.delete("k")).isTrue();
      assertThat(store.delete("k")).isFalse();
      assertThat(store.delete("never")).isFalse();
      assertThat(store.stat("k")).isEmpty();
      assertThat(store.list("")).isEmpty();
      assertThatThrownBy(() -> store.get("k"))
          .isInstanceOf(ObjectNotFoundException.class)
          .hasMessageContaining("'k'");
      List<ObjectInfo> versions = store.versions("k");
      assertThat(versions).hasSize(2);
      assertThat(versions.get(0).deleteMarker()).isTrue();
      assertThatThrownBy(() -> store.get("k", versions.get(0).versionId()))
          .isInstanceOf(ObjectNotFoundException.class);
      assertThat(readAll(store.get("k", v1.versionId()))).containsExactly(1, 2, 3);
      store.put("k", in(new byte[] {4}));
      assertThat(readAll(store.get("k"))).containsExactly(4);
      assertThat(store.versions("k")).hasSize(3);
    }
  }

  @Test
  void listReturnsLiveKeysWithPrefixInKeyOrderAndPages() {
    try (DefaultObjectStore store = create()) {
      for (String k : List.of("b/2", "a", "b/1", "b", "c/x", "b/10", "ba")) {
        store.put(k, in(k.getBytes(StandardCharsets.UTF_8)));
      }
      store.put("b/1", in(new byte[] {9})); // a second version must not list twice
      store.delete("b/2");
      assertThat(store.list(""))
          .extracting(ObjectInfo::key)
          .containsExactly("a", "b", "b/1", "b/10", "ba", "c/x");
      assertThat(store.list("b/")).extracting(ObjectInfo::key).containsExactly("b/1", "b/10");
      assertThat(store.list("b"))
          .extracting(ObjectInfo::key)
          .containsExactly("b", "b/1", "b/10", "ba");
      assertThat(store.list("b/1").get(0).size()).isEqualTo(1);
      assertThat(store.list("", "", 2)).extracting(ObjectInfo::key).containsExactly("a", "b");
      assertThat(store.list("", "b", 2)).extracting(ObjectInfo::key).containsExactly("b/1", "b/10");
      assertThat(store.list("b", "b/10", 10)).extracting(ObjectInfo::key).containsExactly("ba");
      assertThat(store.list("zzz")).isEmpty();
    }
  }

  @Test
  void rangeReadsReturnExactlyTheRequestedBytes() throws IOException {
    Random r = new Random(2);
    byte[] data = random(r, 200_000);
    try (DefaultObjectStore store = create()) {
      store.put("big", in(data));
      for (int i = 0; i < 200; i++) {
        int off = r.nextInt(data.length + 1);
        int len = r.nextInt(20_000);
        byte[] got = readAll(store.getRange("big", off, len));
        int end = Math.min(data.length, off + len);
        assertThat(got).as("range %d+%d", off, len).isEqualTo(Arrays.copyOfRange(data, off, end));
      }
      assertThat(readAll(store.getRange("big", data.length, 10))).isEmpty();
      assertThat(readAll(store.getRange("big", 5, Long.MAX_VALUE)))
          .isEqualTo(Arrays.copyOfRange(data, 5, data.length));
      try (InputStream in = store.getRange("big", 1000, 3)) {
        assertThat(in.read()).isEqualTo(data[1000] & 0xff);
        assertThat(in.read()).isEqualTo(data[1001] & 0xff);
        assertThat(in.read()).isEqualTo(data[1002] & 0xff);
        assertThat(in.read()).isEqualTo(-1);
      }
      assertThatThrownBy(() -> store.getRange("big", data.length + 1, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be in [0, 200000]");
      assertThatThrownBy(() -> store.getRange("big", -1, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be >= 0 but was -1");
      assertThatThrownBy(() -> store.getRange("big", 0, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("length must be >= 0 but was -1");
    }
  }

  @Test
  void largeObjectsUsePagedChunkListsAndStillSupportRanges() {
    // 4096 references per page; chunks average ~1 KiB here, so 12 MiB needs several pages.
    Random r = new Random(3);
    byte[] data = random(r, 12 << 20);
    try (DefaultObjectStore store =
        TestStores.create(dir, small().packTargetSize(4 << 20).build())) {
      ObjectInfo info = store.put("huge", in(data));
      assertThat(info.size()).isEqualTo(data.length);
      assertThat(readAll(store.get("huge"))).isEqualTo(data);
      for (int i = 0; i < 30; i++) {
        int off = r.nextInt(data.length);
        int len = 1 + r.nextInt(50_000);
        assertThat(readAll(store.getRange("huge", off, len)))
            .isEqualTo(Arrays.copyOfRange(data, off, Math.min(data.length, off + len)));
      }
    }
  }

  @Test
  void duplicateContentIsStoredOnceAndStatsShowTheRatios() {
    Random r = new Random(4);
    byte[] base = text(r, 300_000);
    try (DefaultObjectStore store = create()) {
      store.put("v1", in(base));
      StorageStats afterFirst = store.stats();
      byte[] edited = base.clone();
      // A local edit: content-defined chunking keeps the other chunks identical.
      System.arraycopy("EDITED".getBytes(StandardCharsets.US_ASCII), 0, edited, 150_000, 6);
      store.put("v2", in(edited));
      store.put("v3", in(base));
      StorageStats s = store.stats();
      assertThat(s.versions()).isEqualTo(3);
      assertThat(s.logicalBytes()).isEqualTo(3L * base.length);
      // v3 adds nothing, v2 adds a few chunks around the edit.
      assertThat(s.uniqueBytes() - afterFirst.uniqueBytes()).isBetween(1L, 16_384L);
      assertThat(s.dedupRatio()).isGreaterThan(2.8);
      assertThat(s.compressionRatio()).isGreaterThan(1.5); // LZ4 on text
      assertThat(s.dedupedChunks()).isGreaterThan(afterFirst.chunks());
      assertThat(s.packBytes()).isLessThan(s.logicalBytes() / 4);
      assertThat(readAll(store.get("v2"))).isEqualTo(edited);
    }
  }

  @Test
  void invalidArgumentsFailWithMessagesNamingTheArgument() {
    try (DefaultObjectStore store = create()) {
      assertThatThrownBy(() -> store.put("", in(new byte[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key must not be empty");
      assertThatThrownBy(() -> store.put("a\0b", in(new byte[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key must not contain NUL (U+0000), found at index 1");
      assertThatThrownBy(() -> store.put("x".repeat(1025), in(new byte[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key must be at most 1024 bytes in UTF-8 but was 1025 bytes");
      assertThatThrownBy(() -> store.put("é".repeat(513), in(new byte[0])))
          .hasMessageContaining("but was 1026 bytes");
      assertThatThrownBy(() -> store.put("bad\uD800", in(new byte[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key is not valid Unicode: unpaired surrogate at index 3");
      assertThatThrownBy(() -> store.put(null, in(new byte[0])))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("key");
      assertThatThrownBy(() -> store.put("k", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("data");
      assertThatThrownBy(() -> store.put("k", in(new byte[0]), Map.of("", "v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("metadata keys must not be empty");
      assertThatThrownBy(() -> store.put("k", in(new byte[0]), Map.of("m", "v".repeat(70_000))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metadata must be at most 65536 bytes");
      assertThatThrownBy(() -> store.get("k", 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("versionId must be > 0 but was 0");
      assertThatThrownBy(() -> store.list("", "", 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("limit must be >= 1 but was 0");
      assertThatThrownBy(() -> store.list("a\0"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("prefix must not contain NUL (U+0000), found at index 1");
      assertThat(store.list("")).isEmpty(); // nothing was stored by the failed calls
    }
  }

  @Test
  void failingInputStreamFailsThePutCleanly() {
    try (DefaultObjectStore store = create()) {
      store.put("ok", in(new byte[] {1}));
      InputStream broken =
          new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
              if (n++ > 3_000_000) {
                throw new IOException("network reset");
              }
              return n & 0xff;
            }
          };
      assertThatThrownBy(() -> store.put("broken", broken))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("reading the data of 'broken' failed: network reset");
      assertThat(store.stat("broken")).isEmpty();
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("ok");
      assertThat(store.pending).isEmpty();
      assertThat(store.verify().healthy()).isTrue();
    }
  }

  @Test
  void closedStoreRejectsCallsAndCloseIsIdempotent() {
    DefaultObjectStore store = create();
    store.put("k", in(new byte[] {1}));
    InputStream open = store.get("k");
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get("k"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> open.read())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void catalogAndPacksNeverContainPlaintext() throws IOException {
    byte[] secret = "TOP-SECRET-CONTENT-0123456789".repeat(2000).getBytes(StandardCharsets.UTF_8);
    try (DefaultObjectStore store =
        TestStores.create(
            dir, small().compression(io.dsblocks.storage.Compression.none()).build())) {
      store.put("k", in(secret), Map.of("owner", "SECRET-METADATA-VALUE"));
    }
    byte[] needle = "TOP-SECRET-CONTENT".getBytes(StandardCharsets.UTF_8);
    byte[] metaNeedle = "SECRET-METADATA-VALUE".getBytes(StandardCharsets.UTF_8);
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(f);
        assertThat(indexOf(content, needle)).as("plaintext in %s", f).isEqualTo(-1);
        assertThat(indexOf(content, metaNeedle)).as("metadata in %s", f).isEqualTo(-1);
      }
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void fixedSizeChunkingIsRecordedAndUsedOnReopen() {
    byte[] data = random(new Random(5), 10_000);
    try (DefaultObjectStore store =
        TestStores.create(dir, StorageConfig.builder().fixedSizeChunking(1000).build())) {
      store.put("k", in(data));
      assertThat(store.stats().chunks()).isEqualTo(10);
    }
    // Opening with other chunking settings must keep the repository's.
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      store.put("k2", in(data));
      assertThat(store.stats().chunks()).isEqualTo(10);
      assertThat(store.stats().dedupedChunks()).isEqualTo(10);
    }
  }

  @Test
  void createRefusesAnExistingRepositoryAndOpenRefusesAMissingOne() {
    create().close();
    assertThatThrownBy(() -> create())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("a repository already exists at " + dir);
    Path other = dir.resolve("nothing-here");
    assertThatThrownBy(() -> TestStores.open(other, small().build()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("no repository at " + other);
  }
}
