package io.dsblocks.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.internal.block.DefaultBlockDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Space reclaim of block devices: every object under {@code blockdev/} is referenced by some
 * device's committed state, after overwrites of blocks shared by several clones, device deletes and
 * concurrent flushes of clones overwriting the same shared blocks.
 */
class BlockReclaimTest {
  private static final int BLOCK = 4 * 1024;

  @TempDir Path dir;
  ObjectStore store;

  @BeforeEach
  void open() {
    store = TestObjectStores.create(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Every live key under {@code blockdev/}. */
  static Set<String> storedKeys(ObjectStore store) {
    Set<String> keys = new TreeSet<>();
    for (ObjectInfo info : store.list("blockdev/")) {
      keys.add(info.key());
    }
    return keys;
  }

  /** What the named devices' committed manifests, family markers and maps reference. */
  static Set<String> referencedKeys(ObjectStore store, Iterable<String> devices) {
    Set<String> keys = new TreeSet<>();
    for (String d : devices) {
      keys.addAll(DefaultBlockDevice.referencedKeys(store, d));
    }
    return keys;
  }

  private static byte[] block(long seed) {
    byte[] b = new byte[BLOCK];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static byte[] image(BlockDevice d) {
    byte[] b = new byte[(int) d.size()];
    d.read(0, b);
    return b;
  }

  @Test
  void blocksOverwrittenOnEveryCloneAndDeletedDevicesLeaveNothingBehind() {
    int blocks = 8;
    Map<String, byte[]> model = new HashMap<>();
    List<String> names = List.of("src", "c1", "c2", "c1-1");
    Map<String, BlockDevice> open = new HashMap<>();
    BlockDevice src = BlockDevices.create(store, "src", (long) blocks * BLOCK, BLOCK);
    open.put("src", src);
    byte[] base = new byte[blocks * BLOCK];
    for (int i = 0; i < blocks; i++) {
      System.arraycopy(block(i + 1), 0, base, i * BLOCK, BLOCK);
    }
    src.write(0, base);
    src.flush();
    open.put("c1", src.clone("c1"));
    open.put("c2", src.clone("c2"));
    open.put("c1-1", open.get("c1").clone("c1-1")); // a clone of a clone: same family
    for (String n : names) {
      model.put(n, base.clone());
    }
    int originalObjects = store.list("blockdev/data/").size();
    assertThat(originalObjects).isEqualTo(blocks);
    assertThat(storedKeys(store)).isEqualTo(referencedKeys(store, names));

    // Block 0 is overwritten on every device in turn: the shared original must survive until the
    // last one, then go in that device's flush. Block 1 twice on one device (exclusive replaced).
    long seed = 100;
    for (String n : names) {
      byte[] b = block(seed++);
      open.get(n).write(0, b);
      System.arraycopy(b, 0, model.get(n), 0, BLOCK);
      open.get(n).flush();
      assertThat(storedKeys(store)).as("after %s", n).isEqualTo(referencedKeys(store, names));
    }
    for (int k = 0; k < 2; k++) {
      byte[] b = block(seed++);
      open.get("c2").write(BLOCK, b);
      System.arraycopy(b, 0, model.get("c2"), BLOCK, BLOCK);
      open.get("c2").flush();
    }
    // Zeroing a shared block punches a hole on that side only.
    open.get("c1").write(2L * BLOCK, new byte[BLOCK]);
    Arrays.fill(model.get("c1"), 2 * BLOCK, 3 * BLOCK, (byte) 0);
    open.get("c1").flush();
    assertThat(storedKeys(store)).isEqualTo(referencedKeys(store, names));
    // 7 originals still shared + 4 new block-0 objects + 1 for c2's block 1 (its first overwrite
    // was exclusive and deleted by the second).
    assertThat(store.list("blockdev/data/")).hasSize(7 + 4 + 1);
    for (String n : names) {
      assertThat(image(open.get(n))).as(n).isEqualTo(model.get(n));
      open.get(n).close();
    }

    // Delete devices one by one: their exclusive blocks go at once, shared ones with the last user.
    List<String> alive = new ArrayList<>(names);
    for (String n : List.of("c1", "src", "c1-1")) {
      assertThat(BlockDevices.delete(store, n)).isTrue();
      alive.remove(n);
      assertThat(storedKeys(store))
          .as("after deleting %s", n)
          .isEqualTo(referencedKeys(store, alive));
      for (String a : alive) {
        try (BlockDevice d = BlockDevices.open(store, a)) {
          assertThat(image(d)).as("%s after deleting %s", a, n).isEqualTo(model.get(a));
        }
      }
    }
    assertThat(BlockDevices.delete(store, "c2")).isTrue();
    assertThat(store.list("blockdev/")).as("nothing left once every device is gone").isEmpty();
    assertThat(store.verify().healthy()).isTrue();
  }

  @Test
  void clonesOverwritingTheSameSharedBlocksConcurrentlyLeakNothingAndLoseNothing()
      throws Exception {
    int blocks = 32;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) {
        String a = "a" + round;
        String b = "b" + round;
        BlockDevice da = BlockDevices.create(store, a, (long) blocks * BLOCK, BLOCK);
        for (int i = 0; i < blocks; i++) {
          da.write((long) i * BLOCK, block(round * 1000L + i));
        }
        da.flush();
        BlockDevice db = da.clone(b);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        for (BlockDevice d : List.of(da, db)) {
          long seed = d == da ? 7 + round : 70 + round;
          results.add(
              pool.submit(
                  () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    byte[] model = image(d);
                    start.await();
                    // Every shared block once, in a random order, several flushes.
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < blocks; i++) {
                      order.add(i);
                    }
                    java.util.Collections.shuffle(order, new java.util.Random(seed));
                    for (int i : order) {
                      byte[] data = block(r.nextLong());
                      d.write((long) i * BLOCK, data);
                      System.arraycopy(data, 0, model, i * BLOCK, BLOCK);
                      if (r.nextInt(4) == 0) {
                        d.flush();
                      }
                    }
                    d.flush();
                    return model;
                  }));
        }
        start.countDown();
        byte[] modelA = results.get(0).get(60, TimeUnit.SECONDS);
        byte[] modelB = results.get(1).get(60, TimeUnit.SECONDS);
        assertThat(image(da)).isEqualTo(modelA);
        assertThat(image(db)).isEqualTo(modelB);
        da.close();
        db.close();
        // No original survives: each was overwritten on both sides.
        List<String> devices = new ArrayList<>();
        for (int k = 0; k <= round; k++) {
          devices.add("a" + k);
          devices.add("b" + k);
        }
        assertThat(storedKeys(store)).isEqualTo(referencedKeys(store, devices));
        assertThat(store.list("blockdev/data/")).hasSize(2 * blocks * (round + 1));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
