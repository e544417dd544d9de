package io.dsblocks.storage.internal.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The {@link Chunker#cut} protocol as a caller uses it: bytes arrive in arbitrary pieces, a small
 * buffering driver calls {@code cut} only once it holds {@code maxSize} bytes (or the stream has
 * ended). Whatever the piece sizes, the chunks must concatenate to the input, respect the size
 * bounds, and be exactly the chunks of the whole input cut in one go (boundaries depend on content
 * only, never on how it was delivered).
 */
class ChunkerProtocolPropertiesTest {

  /** Buffers pieces and emits chunks; keeps a moving start offset so cut sees offsets != 0. */
  static final class Driver {
    private final Chunker chunker;
    private byte[] buf = new byte[64];
    private int start;
    private int end;
    final List<byte[]> chunks = new ArrayList<>();

    Driver(Chunker chunker) {
      this.chunker = chunker;
    }

    void feed(byte[] piece, int off, int len) {
      if (buf.length - end < len) {
        int pending = end - start;
        byte[] next =
            buf.length - pending >= len ? buf : new byte[Math.max(2 * buf.length, pending + len)];
        System.arraycopy(buf, start, next, 0, pending);
        buf = next;
        start = 0;
        end = pending;
      }
      System.arraycopy(piece, off, buf, end, len);
      end += len;
      while (end - start >= chunker.maxSize()) {
        emit();
      }
    }

    void finish() {
      while (end > start) {
        emit();
      }
    }

    private void emit() {
      int n = chunker.cut(buf, start, end - start);
      assertThat(n).isBetween(1, Math.min(end - start, chunker.maxSize()));
      chunks.add(Arrays.copyOfRange(buf, start, start + n));
      start += n;
    }
  }

  static byte[] content(long seed, int length, boolean lowEntropy) {
    byte[] b = new byte[length];
    SplittableRandom r = new SplittableRandom(seed);
    if (lowEntropy) {
      // Runs of a few symbols: exercises long stretches without cut points.
      for (int i = 0; i < length; ) {
        int run = 1 + r.nextInt(300);
        byte v = (byte) r.nextInt(3);
        for (int j = 0; j < run && i < length; j++) {
          b[i++] = v;
        }
      }
    } else {
      r.nextBytes(b);
    }
    return b;
  }

  private static void check(
      Chunker chunker, byte[] input, List<Integer> pieces, boolean strictMin) {
    Driver piecewise = new Driver(chunker);
    int pos = 0;
    for (int i = 0; pos < input.length; i++) {
      int n = Math.min(pieces.get(i % pieces.size()), input.length - pos);
      piecewise.feed(input, pos, n);
      pos += n;
    }
    piecewise.finish();
    Driver whole = new Driver(chunker);
    whole.feed(input, 0, input.length);
    whole.finish();

    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] c : piecewise.chunks) {
      joined.write(c, 0, c.length);
    }
    assertThat(joined.toByteArray()).isEqualTo(input);
    List<byte[]> chunks = piecewise.chunks;
    for (int i = 0; i < chunks.size() - 1 && strictMin; i++) {
      assertThat(chunks.get(i).length).isBetween(chunker.minSize(), chunker.maxSize());
    }
    assertThat(chunks).hasSameSizeAs(whole.chunks);
    for (int i = 0; i < chunks.size(); i++) {
      assertThat(chunks.get(i)).isEqualTo(whole.chunks.get(i));
    }
  }

  @Property(tries = 200, seed = "7")
  void fastCdcChunksDoNotDependOnDelivery(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 20_000) int length,
      @ForAll boolean lowEntropy,
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 3000) Integer> pieces,
      @ForAll @IntRange(min = 64, max = 200) int min) {
    byte[] gearSeed = new byte[32];
    new SplittableRandom(seed ^ 0x5eed).nextBytes(gearSeed);
    Chunker chunker = new FastCdcChunker(min, 256, 1024 + min, gearSeed);
    check(chunker, content(seed, length, lowEntropy), pieces, true);
  }

  @Property(tries = 100, seed = "7")
  void fixedChunksDoNotDependOnDelivery(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 20_000) int length,
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 3000) Integer> pieces,
      @ForAll @IntRange(min = 1, max = 5000) int size) {
    check(new FixedChunker(size), content(seed, length, false), pieces, true);
  }
}
