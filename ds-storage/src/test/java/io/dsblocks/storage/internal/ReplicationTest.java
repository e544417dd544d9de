package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pack.PackFormat;
import io.dsblocks.storage.internal.replica.Pacer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationTest {
  @TempDir Path tmp;

  private List<StorageNode> nodes(int n) {
    List<StorageNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(StorageNodes.directory("node-" + i, tmp.resolve("nodes").resolve("node-" + i)));
    }
    return out;
  }

  private Path nodeDir(StorageNode node) {
    return tmp.resolve("nodes").resolve(node.id());
  }

  /** Every referenced pack is on its placement nodes, byte-identical to the local copy. */
  private void assertFullyReplicated(DefaultObjectStore store) throws IOException {
    List<Long> packs = store.index.packsWithEntries();
    assertThat(packs).isNotEmpty();
    for (long id : packs) {
      if (store.packWriter.isUnsealed(id)) {
        continue;
      }
      String name = PackFormat.fileName(id);
      byte[] local = Files.readAllBytes(store.packReader.path(id));
      List<StorageNode> placed = store.replicator.placement(name);
      assertThat(placed).hasSize(store.config().replicationFactor() - 1);
      for (StorageNode n : placed) {
        assertThat(Files.readAllBytes(nodeDir(n).resolve(name)))
            .as("%s on %s", name, n.id())
            .isEqualTo(local);
      }
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  @Test
  void syncPutReturnsOnlyAfterEveryReferencedPackIsOnItsNodes() throws IOException {
    List<StorageNode> nodes = nodes(4);
    StorageConfig config = small().replicas(nodes, 3, ReplicationMode.SYNC).build();
    Random rnd = new Random(1);
    try (DefaultObjectStore store = TestStores.create(tmp.resolve("repo"), config)) {
      for (int i = 0; i < 6; i++) {
        store.put("k" + i, new ByteArrayInputStream(random(rnd, 20_000 + i * 9_000)));
        // Checked after every put, not at the end: the ack itself implies R copies.
        assertFullyReplicated(store);
      }
      assertThat(store.replicationStats().underReplicatedPacks()).isZero();
      assertThat(store.replicationStats().copiedPacks()).isGreaterThan(0);
      // Copies go only to the placement nodes: 2 of 4 per pack.
      long copies = 0;
      for (StorageNode n : nodes) {
        copies += n.list().size();
      }
      assertThat(copies).isEqualTo(2L * store.index.packsWithEntries().size());
    }
  }

  /** A real directory node whose writes can be made to fail. */
  static final class FailingNode implements StorageNode {
    final StorageNode delegate;
    volatile boolean fail;

    FailingNode(StorageNode delegate) {
      this.delegate = delegate;
    }

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public void write(String name, ReadableByteChannel source, long length) throws IOException {
      if (fail) {
        throw new IOException("node " + id() + " is down");
      }
      delegate.write(name, source, length);
    }

    @Override
    public byte[] read(String name, long offset, int length) throws IOException {
      return delegate.read(name, offset, length);
    }

    @Override
    public boolean exists(String name) throws IOException {
      return delegate.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
      return delegate.size(name);
    }

    @Override
    public boolean delete(String name) throws IOException {
      return delegate.delete(name);
    }

    @Override
    public List<String> list() throws IOException {
      return delegate.list();
    }
  }

  @Test
  void syncPutFailsCleanlyWhenANodeCannotStoreItsCopy() throws IOException {
    List<StorageNode> base = nodes(2);
    FailingNode flaky = new FailingNode(base.get(1));
    List<StorageNode> nodes = List.of(base.get(0), flaky);
    // R = 3 over 2 nodes: every pack goes to both, so the flaky node is always involved.
    StorageConfig config = small().replicas(nodes, 3, ReplicationMode.SYNC).build();
    Random rnd = new Random(2);
    byte[] a = random(rnd, 30_000);
    byte[] b = random(rnd, 30_000);
    byte[] c = random(rnd, 30_000);
    Path repo = tmp.resolve("repo");
    try (DefaultObjectStore store = TestStores.create(repo, config)) {
      store.put("a", new ByteArrayInputStream(a));
      flaky.fail = true;
      assertThatThrownBy(() -> store.put("b", new ByteArrayInputStream(b)))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("node-1");
      assertThat(store.stat("b")).isEmpty();
      assertThat(readAll(store.get("a"))).isEqualTo(a);
      flaky.fail = false;
      store.put("c", new ByteArrayInputStream(c));
      assertFullyReplicated(store);
    }
    try (DefaultObjectStore store = TestStores.open(repo, config)) {
      assertThat(store.stat("b")).isEmpty();
      assertThat(readAll(store.get("a"))).isEqualTo(a);
      assertThat(readAll(store.get("c"))).isEqualTo(c);
      assertThat(store.verify().healthy()).isTrue();
      assertFullyReplicated(store);
      // The failed commit's partial copies were orphans: open removed them.
      Set<String> referenced = new HashSet<>();
      for (long id : store.index.packsWithEntries()) {
        referenced.add(PackFormat.fileName(id));
      }
      for (StorageNode n : nodes) {
        assertThat(referenced).containsAll(n.list());
      }
    }
  }

  @Test
  void asyncLagDrainsToZeroAndReopenResumesCopying() throws IOException {
    List<StorageNode> nodes = nodes(3);
    StorageConfig config = small().replicas(nodes, 2, ReplicationMode.ASYNC).build();
    Random rnd = new Random(3);
    Path repo = tmp.resolve("repo");
    Map<String, byte[]> data = new java.util.TreeMap<>();
    try (DefaultObjectStore store = TestStores.create(repo, config)) {
      for (int i = 0; i < 5; i++) {
        byte[] v = random(rnd, 100_000);
        data.put("k" + i, v);
        store.put("k" + i, new ByteArrayInputStream(v));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> store.replicationStats().underReplicatedPacks() == 0);
      assertThat(store.replicationStats().underReplicatedBytes()).isZero();
      assertThat(store.replicationStats().copiedPacks()).isGreaterThan(0);
      assertFullyReplicated(store); // every sealed pack
    }
    // The pack sealed by close() was not copied (close stops the copier first) ...
    long missing = 0;
    try (DefaultObjectStore store = TestStores.open(repo, config)) {
      // ... so open found it under-replicated and the copier resumes.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> store.replicationStats().underReplicatedPacks() == 0);
      missing = store.replicationStats().copiedPacks();
      assertFullyReplicated(store);
      for (Map.Entry<String, byte[]> e : data.entrySet()) {
        assertThat(readAll(store.get(e.getKey()))).isEqualTo(e.getValue());
      }
    }
    assertThat(missing).as("packs the reopened store copied").isGreaterThan(0);
  }

  private record Repair(String pack, String location, String source) {}

  private static StorageListener recorder(List<Repair> repairs) {
    return new StorageListener() {
      @Override
      public void onPackRepaired(String pack, String location, String source, String reason) {
        repairs.add(new Repair(pack, location, source));
      }
    };
  }

  @Test
  void aFlippedOrDeletedLocalPackIsReadFromAReplicaAndRepaired() throws IOException {
    List<StorageNode> nodes = nodes(2);
    List<Repair> repairs = new CopyOnWriteArrayList<>();
    StorageConfig config =
        small().replicas(nodes, 2, ReplicationMode.SYNC).listener(recorder(repairs)).build();
    Random rnd = new Random(4);
    byte[] x = random(rnd, 50_000);
    byte[] y = random(rnd, 50_000);
    Path repo = tmp.resolve("repo");
    try (DefaultObjectStore store = TestStores.create(repo, config)) {
      store.put("x", new ByteArrayInputStream(x));
      store.put("y", new ByteArrayInputStream(y));
    }
    long flipped;
    try (DefaultObjectStore store = TestStores.open(repo, config)) {
      ChunkLocation victim = TestStores.locations(store, "x").get(1);
      flipped = victim.packId();
      flip(store.packReader.path(flipped), victim.offset() + 44 + victim.length() / 2);
      assertThat(store.verify().healthy()).isFalse(); // verify reports the local copy as it is
      assertThat(readAll(store.get("x"))).isEqualTo(x);
      String flippedName = PackFormat.fileName(flipped);
      assertThat(repairs)
          .containsExactly(
              new Repair(
                  flippedName, "local", store.replicator.placement(flippedName).get(0).id()));
      assertThat(store.verify().healthy()).isTrue();

      // Now a deleted local pack (of the other object), while the store is open.
      ChunkLocation gone = TestStores.locations(store, "y").get(0);
      Files.delete(store.packReader.path(gone.packId()));
      store.packReader.evict(gone.packId());
      assertThat(readAll(store.get("y"))).isEqualTo(y);
      assertThat(Files.exists(store.packReader.path(gone.packId()))).isTrue();
      assertThat(store.verify().healthy()).isTrue();
      assertThat(store.replicationStats().repairedCopies()).isEqualTo(repairs.size());
    }
  }

  @Test
  void aPackMissingAtOpenIsRestoredFromAReplica() throws IOException {
    List<StorageNode> nodes = nodes(2);
    StorageConfig config = small().replicas(nodes, 2, ReplicationMode.SYNC).build();
    byte[] x = random(new Random(5), 40_000);
    Path repo = tmp.resolve("repo");
    long packId;
    try (DefaultObjectStore store = TestStores.create(repo, config)) {
      store.put("x", new ByteArrayInputStream(x));
      packId = TestStores.locations(store, "x").get(0).packId();
    }
    Files.delete(repo.resolve("packs").resolve(PackFormat.fileName(packId)));
    try (DefaultObjectStore store = TestStores.open(repo, config)) {
      assertThat(store.recovery().damaged()).containsKey(PackFormat.fileName(packId));
      assertThat(Files.exists(store.packReader.path(packId))).isTrue();
      assertThat(store.verify().healthy()).isTrue();
      assertThat(readAll(store.get("x"))).isEqualTo(x);
    }
  }

  @Test
  void scrubFindsDamagedAndMissingReplicasRepairsThemAndRemovesOrphans() throws IOException {
    List<StorageNode> nodes = nodes(3);
    List<Repair> repairs = new CopyOnWriteArrayList<>();
    StorageConfig config =
        small().replicas(nodes, 3, ReplicationMode.SYNC).listener(recorder(repairs)).build();
    Random rnd = new Random(6);
    try (DefaultObjectStore store = TestStores.create(tmp.resolve("repo"), config)) {
      byte[] x = random(rnd, 60_000);
      store.put("x", new ByteArrayInputStream(x));
      store.put("y", new ByteArrayInputStream(random(rnd, 30_000)));
      ScrubReport clean = store.scrub(Long.MAX_VALUE);
      assertThat(clean.problems()).isEmpty();
      int packs = store.index.packsWithEntries().size();
      assertThat(clean.packsChecked()).isEqualTo(packs);
      assertThat(clean.copiesChecked()).isEqualTo(3 * packs);

      ChunkLocation victim = TestStores.locations(store, "x").get(2);
      String name = PackFormat.fileName(victim.packId());
      StorageNode damagedNode = store.replicator.placement(name).get(1);
      Path copy = nodeDir(damagedNode).resolve(name);
      flip(copy, victim.offset() + 44 + victim.length() / 3);
      String otherName = PackFormat.fileName(TestStores.locations(store, "y").get(0).packId());
      StorageNode emptied = store.replicator.placement(otherName).get(0);
      Files.delete(nodeDir(emptied).resolve(otherName));
      Files.write(nodeDir(emptied).resolve("00000000000fffff.pack"), new byte[100]);

      ScrubReport report = store.scrub(Long.MAX_VALUE);
      assertThat(report.problems())
          .extracting(p -> p.pack() + "@" + p.location())
          .contains(name + "@" + damagedNode.id(), otherName + "@" + emptied.id());
      assertThat(report.problems()).allMatch(ScrubReport.Problem::repaired);
      assertThat(report.healthy()).isTrue();
      assertThat(report.orphansRemoved()).isEqualTo(1);
      assertThat(Files.readAllBytes(copy))
          .isEqualTo(Files.readAllBytes(store.packReader.path(victim.packId())));
      assertThat(repairs).extracting(Repair::location).contains(damagedNode.id(), emptied.id());
      assertThat(store.scrub(Long.MAX_VALUE).problems()).isEmpty();
      assertThat(readAll(store.get("x"))).isEqualTo(x);
    }
  }

  @Test
  void garbageCollectionDeletesReplicasOfDeletedPacks() throws IOException {
    List<StorageNode> nodes = nodes(2);
    StorageConfig config = small().replicas(nodes, 2, ReplicationMode.SYNC).build();
    Random rnd = new Random(7);
    try (DefaultObjectStore store = TestStores.create(tmp.resolve("repo"), config)) {
      store.put("x", new ByteArrayInputStream(random(rnd, 80_000)));
      store.put("y", new ByteArrayInputStream(random(rnd, 20_000)));
      Set<Long> xPacks = new HashSet<>();
      for (ChunkLocation l : TestStores.locations(store, "x")) {
        xPacks.add(l.packId());
      }
      store.delete("x");
      assertThat(store.collectGarbage().packsDeleted()).isGreaterThan(0);
      Set<String> onNodes = new HashSet<>();
      for (StorageNode n : nodes) {
        onNodes.addAll(n.list());
      }
      Set<String> referenced = new HashSet<>();
      for (long id : store.index.packsWithEntries()) {
        referenced.add(PackFormat.fileName(id));
      }
      assertThat(onNodes).isEqualTo(referenced);
      assertFullyReplicated(store);
    }
  }

  @Test
  void addingANodeMovesAboutOneNthOfThePlacements() {
    StorageConfig four = small().replicas(nodes(4), 2, ReplicationMode.SYNC).build();
    List<StorageNode> fiveNodes = nodes(5);
    StorageConfig five = small().replicas(fiveNodes, 2, ReplicationMode.SYNC).build();
    Path repo = tmp.resolve("repo");
    List<String> before = new ArrayList<>();
    int n = 4000;
    try (DefaultObjectStore store = TestStores.create(repo, four)) {
      for (int i = 0; i < n; i++) {
        before.add(store.replicator.placement(PackFormat.fileName(i)).get(0).id());
      }
    }
    int moved = 0;
    try (DefaultObjectStore store = TestStores.open(repo, five)) {
      for (int i = 0; i < n; i++) {
        String now = store.replicator.placement(PackFormat.fileName(i)).get(0).id();
        if (!now.equals(before.get(i))) {
          moved++;
          assertThat(now).as("a moved placement goes to the new node").isEqualTo("node-4");
        }
      }
    }
    // Ideal: 1/5 = 800 of 4000.
    assertThat(moved).isBetween(640, 960);
  }

  @Test
  void replicationSettingsAreValidatedNamingTheFieldAndRange() {
    List<StorageNode> two = nodes(2);
    assertThatThrownBy(() -> small().replicas(two, 0, ReplicationMode.SYNC).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicationFactor must be in [1, nodes + 1] = [1, 3]")
        .hasMessageContaining("but was 0");
    assertThatThrownBy(() -> small().replicas(two, 4, ReplicationMode.ASYNC).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicationFactor")
        .hasMessageContaining("but was 4");
    List<StorageNode> dup =
        List.of(two.get(0), StorageNodes.directory("node-0", tmp.resolve("elsewhere")));
    assertThatThrownBy(() -> small().replicas(dup, 2, ReplicationMode.SYNC).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node ids must be unique but 'node-0' appears twice");
    assertThatThrownBy(() -> small().replicas(two, 2, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("mode");
    assertThatThrownBy(() -> new Pacer(0, () -> 0, t -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rateLimitBytesPerSecond must be in [1, ");
  }

  @Test
  void pacerParksUntilTheClockCatchesUpWithTheBytes() {
    AtomicLong now = new AtomicLong(1_000);
    AtomicLong parked = new AtomicLong();
    Pacer pacer =
        new Pacer(
            1_000_000,
            now::get,
            ns -> {
              parked.addAndGet(ns);
              now.addAndGet(ns);
            });
    pacer.acquire(500_000); // due at +0.5 s
    assertThat(parked.get()).isEqualTo(500_000_000L);
    now.addAndGet(2_000_000_000L); // the caller was slow: budget already there
    pacer.acquire(1_000_000);
    assertThat(parked.get()).isEqualTo(500_000_000L);
    pacer.acquire(2_000_000); // due at +3.5 s, clock at +2.5 s
    assertThat(parked.get()).isEqualTo(1_500_000_000L);
    assertThat(pacer.bytes()).isEqualTo(3_500_000);
  }

  @Test
  void scrubIsPacedThroughTheInjectedClock() throws IOException {
    StorageConfig config = small().replicas(nodes(2), 2, ReplicationMode.SYNC).build();
    try (DefaultObjectStore store = TestStores.create(tmp.resolve("repo"), config)) {
      store.put("x", new ByteArrayInputStream(random(new Random(8), 40_000)));
      AtomicLong now = new AtomicLong();
      AtomicLong parked = new AtomicLong();
      ScrubReport r =
          store.scrub(
              10_000,
              now::get,
              ns -> {
                parked.addAndGet(ns);
                now.addAndGet(ns);
              });
      assertThat(r.bytesRead()).isGreaterThan(80_000);
      // bytes / rate seconds of parking, since the fake clock only moves while parked
      assertThat(parked.get()).isEqualTo((long) (r.bytesRead() * 1e9 / 10_000));
    }
  }
}
