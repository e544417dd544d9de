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
}
