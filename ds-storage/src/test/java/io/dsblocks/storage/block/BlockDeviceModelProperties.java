package io.dsblocks.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random operation sequences against a plain {@code byte[]} model: writes and reads at random
 * offsets and lengths (many unaligned, some spanning several blocks, some all zeros to punch
 * holes), flushes, reopens, clones and resizes. Every read must equal the model.
 */
class BlockDeviceModelProperties {
  private static Path dir;
  private static ObjectStore store;
  private static final AtomicInteger DEVICES = new AtomicInteger();

  @BeforeContainer
  static void openStore() throws Exception {
    dir = Files.createTempDirectory("blockdev-props");
    store = TestObjectStores.create(dir);
  }

  @AfterContainer
  static void closeStore() {
    store.close();
    TestObjectStores.deleteTree(dir);
  }

  @Property(tries = 12, seed = "20240611")
  void behavesLikeAByteArray(
      @ForAll long seed,
      @ForAll @IntRange(min = 12, max = 14) int blockShift,
      @ForAll @IntRange(min = 1, max = 300_000) int size) {
    int blockSize = 1 << blockShift;
    SplittableRandom r = new SplittableRandom(seed);
    byte[] model = new byte[size];
    String name = "p" + DEVICES.incrementAndGet();
    BlockDevice d = BlockDevices.create(store, name, size, blockSize);
    try {
      for (int op = 0; op < 60; op++) {
        int kind = r.nextInt(100);
        if (kind < 45) {
          int off = r.nextInt(model.length + 1);
          int len = r.nextInt(Math.min(model.length - off, 3 * blockSize) + 1);
          byte[] data = new byte[len];
          if (r.nextInt(5) != 0) {
            r.nextBytes(data); // else: zeros, which punch holes
          }
          d.write(off, data);
          System.arraycopy(data, 0, model, off, len);
        } else if (kind < 80) {
          int off = r.nextInt(model.length + 1);
          int len = r.nextInt(model.length - off + 1);
          byte[] got = new byte[len];
          d.read(off, got);
          assertThat(got).isEqualTo(Arrays.copyOfRange(model, off, off + len));
        } else if (kind < 90) {
          d.flush();
        } else if (kind < 94) {
          d.close();
          d = BlockDevices.open(store, name);
        } else if (kind < 97) {
          // Continue on a clone; the original must stay as it was.
          String cloneName = "p" + DEVICES.incrementAndGet();
          BlockDevice c = d.clone(cloneName);
          byte[] scribble = new byte[Math.min(100, model.length)];
          r.nextBytes(scribble);
          d.write(0, scribble);
          d.close();
          d = c;
          name = cloneName;
        } else {
          int newSize = 1 + r.nextInt(300_000);
          d.resize(newSize);
          byte[] next = new byte[newSize];
          System.arraycopy(model, 0, next, 0, Math.min(newSize, model.length));
          model = next;
        }
      }
      byte[] all = new byte[model.length];
      d.read(0, all);
      assertThat(all).isEqualTo(model);
      long nonZeroBlocks = 0;
      for (int b = 0; b * (long) blockSize < model.length; b++) {
        int from = b * blockSize;
        int to = Math.min(model.length, from + blockSize);
        boolean zero = true;
        for (int i = from; i < to && zero; i++) {
          zero = model[i] == 0;
        }
        nonZeroBlocks += zero ? 0 : 1;
      }
      assertThat(d.stats().allocatedBlocks())
          .as("thin: only non-zero blocks")
          .isEqualTo(nonZeroBlocks);
    } finally {
      d.close();
    }
    try (BlockDevice again = BlockDevices.open(store, name)) {
      byte[] all = new byte[model.length];
      again.read(0, all);
      assertThat(all).isEqualTo(model);
    }
  }
}
