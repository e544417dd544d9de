package io.dsblocks.storage.internal.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeltaCodecTest {

  @Test
  void reusedMatchTableNeverLeaksPositionsOfAnEarlierBase() {
    Random rnd = new Random(20261128);
    for (int round = 0; round < 200; round++) {
      // Alternate long and short bases: a slot written for a long base points past the end of a
      // short one, so a stale slot taken as live would copy out of bounds or copy wrong bytes.
      byte[] base = new byte[round % 2 == 0 ? 20_000 : 300 + rnd.nextInt(200)];
      rnd.nextBytes(base);
      byte[] target = Arrays.copyOf(base, base.length + 64);
      for (int e = 0; e < 5; e++) {
        target[rnd.nextInt(target.length)] ^= (byte) (1 + rnd.nextInt(255));
      }
      byte[] program = DeltaCodec.encode(base, target, 0, target.length);
      assertThat(DeltaCodec.decode(base, program, target.length)).isEqualTo(target);
      if (base.length > 10_000) {
        assertThat(program.length).isLessThan(target.length / 10); // a real delta, not literals
      }
    }
  }

  @Test
  void encodesASliceOfALargerBuffer() {
    Random rnd = new Random(7);
    byte[] base = new byte[8_000];
    rnd.nextBytes(base);
    byte[] buffer = new byte[10_000];
    System.arraycopy(base, 0, buffer, 1_000, 8_000);
    buffer[5_000] ^= 1;
    byte[] program = DeltaCodec.encode(base, buffer, 1_000, 8_000);
    assertThat(DeltaCodec.decode(base, program, 8_000))
        .isEqualTo(Arrays.copyOfRange(buffer, 1_000, 9_000));
  }

  @Test
  void aLimitedEncodeIsTheFullProgramOrNullWhenThatExceedsTheLimit() {
    Random rnd = new Random(99);
    for (int round = 0; round < 300; round++) {
      byte[] base = new byte[200 + rnd.nextInt(6000)];
      rnd.nextBytes(base);
      byte[] target = Arrays.copyOf(base, base.length);
      int edits = rnd.nextInt(round % 3 == 0 ? 400 : 20); // some targets end up too different
      for (int e = 0; e < edits; e++) {
        int at = rnd.nextInt(target.length);
        int n = Math.min(target.length - at, 1 + rnd.nextInt(40));
        for (int k = 0; k < n; k++) {
          target[at + k] = (byte) rnd.nextInt(256);
        }
      }
      byte[] full = DeltaCodec.encode(base, target, 0, target.length);
      int limit = rnd.nextInt(target.length);
      byte[] limited = DeltaCodec.encode(base, target, 0, target.length, limit);
      if (full.length <= limit) {
        assertThat(limited).isEqualTo(full);
      } else {
        assertThat(limited).as("round %d: %d > limit %d", round, full.length, limit).isNull();
      }
      assertThat(DeltaCodec.decode(base, full, target.length)).isEqualTo(target);
    }
  }

  @Test
  void findsMatchesAtEveryAlignmentWithTheSparselyIndexedBase() {
    // Only every STRIDE-th base position is indexed: a copied run must be found whatever its
    // offset modulo STRIDE, in the base and in the target.
    Random rnd = new Random(3);
    byte[] base = new byte[5000];
    rnd.nextBytes(base);
    for (int from = 0; from < 2 * DeltaCodec.STRIDE; from++) {
      for (int junk = 0; junk < DeltaCodec.STRIDE; junk++) {
        byte[] target = new byte[junk + 3000 + 5];
        rnd.nextBytes(target);
        System.arraycopy(base, from, target, junk, 3000);
        byte[] program = DeltaCodec.encode(base, target, 0, target.length);
        assertThat(DeltaCodec.decode(base, program, target.length)).isEqualTo(target);
        assertThat(program.length).as("from %d junk %d", from, junk).isLessThan(40);
      }
    }
    // The shortest match the stride guarantees to find: MIN_MATCH bytes between random literals.
    for (int from = 0; from < DeltaCodec.STRIDE; from++) {
      byte[] target = new byte[100];
      rnd.nextBytes(target);
      System.arraycopy(base, 1000 + from, target, 40, DeltaCodec.MIN_MATCH);
      byte[] program = DeltaCodec.encode(base, target, 0, target.length);
      assertThat(program.length).as("from %d", from).isLessThan(target.length);
      assertThat(DeltaCodec.decode(base, program, target.length)).isEqualTo(target);
    }
  }

  @Test
  void roundTripsEmptyTinyAndExactInputs() {
    Random rnd = new Random(11);
    byte[] big = new byte[3000];
    rnd.nextBytes(big);
    byte[][] bases = {new byte[0], new byte[5], Arrays.copyOf(big, 8), big};
    for (byte[] base : bases) {
      for (int len : new int[] {0, 1, 7, 8, 9, 15, 100, 3000}) {
        byte[] same = Arrays.copyOf(base, Math.min(len, base.length));
        byte[] random = new byte[len];
        rnd.nextBytes(random);
        for (byte[] target : new byte[][] {same, random}) {
          byte[] program = DeltaCodec.encode(base, target, 0, target.length);
          assertThat(DeltaCodec.decode(base, program, target.length)).isEqualTo(target);
        }
      }
    }
    // An exact copy is a single copy instruction: a few bytes whatever the size.
    assertThat(DeltaCodec.encode(big, big, 0, big.length)).hasSizeLessThan(8);
  }
}
