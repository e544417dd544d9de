package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyHasherTest {
  private static final long PRIME32 = 2654435761L;
  private static final long PRIME64 = 0x9E3779B185EBCA8DL; // 11400714785074694797

  /** xxHash's sanity buffer: byteGen = PRIME32; each byte = top byte; byteGen *= PRIME64. */
  private static byte[] sanityBuffer(int len) {
    byte[] b = new byte[len];
    long gen = PRIME32;
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (gen >>> 56);
      gen *= PRIME64;
    }
    return b;
  }

  // Published XXH3_64bits test vectors (xxHash cli/xsum_sanity_check.c): {len, seed, hash}.
  private static final long[][] VECTORS = {
    {0, 0, 0x2D06800538D394C2L},
    {0, PRIME64, 0xA8A6B918B2F0364AL},
    {1, 0, 0xC44BDFF4074EECDBL},
    {1, PRIME64, 0x032BE332DD766EF8L},
    {6, 0, 0x27B56A84CD2D7325L},
    {6, PRIME64, 0x84589C116AB59AB9L},
    {12, 0, 0xA713DAF0DFBB77E7L},
    {12, PRIME64, 0xE7303E1B2336DE0EL},
    {24, 0, 0xA3FE70BF9D3510EBL},
    {24, PRIME64, 0x850E80FC35BDD690L},
    {48, 0, 0x397DA259ECBA1F11L},
    {48, PRIME64, 0xADC2CBAA44ACC616L},
    {80, 0, 0xBCDEFBBB2C47C90AL},
    {80, PRIME64, 0xC6DD0CB699532E73L},
    {195, 0, 0xCD94217EE362EC3AL},
    {195, PRIME64, 0xBA68003D370CB3D9L},
    {403, 0, 0xCDEB804D65C6DEA4L},
    {403, PRIME64, 0x6259F6ECFD6443FDL},
    {512, 0, 0x617E49599013CB6BL},
    {512, PRIME64, 0x3CE457DE14C27708L},
    {2048, 0, 0xDD59E2C3A5F038E0L},
    {2048, PRIME64, 0x66F81670669ABABCL},
    {2240, 0, 0x6E73A90539CF2948L},
    {2240, PRIME64, 0x757BA8487D1B5247L},
    {2367, 0, 0xCB37AEB9E5D361EDL},
    {2367, PRIME64, 0xD2DB3415B942B42AL},
  };

  @Test
  void xxh3MatchesPublishedTestVectors() {
    byte[] buffer = sanityBuffer(4096 + 64 + 1);
    for (long[] v : VECTORS) {
      byte[] input = Arrays.copyOf(buffer, (int) v[0]);
      long actual = KeyHasher.xxh3(v[1]).hashBytes(input);
      assertThat(actual).as("XXH3_64bits(len=%d, seed=%x)", v[0], v[1]).isEqualTo(v[2]);
    }
  }

  @Test
  void longKeysHashTheirLittleEndianBytes() {
    long key = 0x0102030405060708L;
    byte[] le = {8, 7, 6, 5, 4, 3, 2, 1};
    assertThat(KeyHasher.xxh3().hashLong(key)).isEqualTo(KeyHasher.xxh3().hashBytes(le));
  }

  @Test
  void charsHashTheirUtf16LittleEndianBytesWhateverTheSequenceType() {
    String s = "user:42-é€";
    long expected = KeyHasher.xxh3().hashBytes(s.getBytes(StandardCharsets.UTF_16LE));
    assertThat(KeyHasher.xxh3().hashChars(s)).isEqualTo(expected);
    assertThat(KeyHasher.xxh3().hashChars(new StringBuilder(s))).isEqualTo(expected);
    assertThat(KeyHasher.xxh3().hashChars(java.nio.CharBuffer.wrap(s))).isEqualTo(expected);
  }

  @Test
  void objectKeysDispatchToTheMatchingPrimitiveHash() {
    KeyHasher h = KeyHasher.xxh3();
    assertThat(h.hashObject("abc")).isEqualTo(h.hashChars("abc"));
    assertThat(h.hashObject(new byte[] {1, 2})).isEqualTo(h.hashBytes(new byte[] {1, 2}));
    assertThat(h.hashObject(42L)).isEqualTo(h.hashLong(42));
    assertThat(h.hashObject(42)).isEqualTo(h.hashLong(42));
    assertThat(h.hashObject(java.util.List.of(1)))
        .isEqualTo(h.hashLong(java.util.List.of(1).hashCode()));
  }

  @Test
  void seedsGiveIndependentHashesAndEqualSeedsAreEqualHashers() {
    assertThat(KeyHasher.xxh3(1).hashLong(5)).isNotEqualTo(KeyHasher.xxh3(2).hashLong(5));
    assertThat(KeyHasher.xxh3(7)).isEqualTo(KeyHasher.xxh3(7));
    assertThat(KeyHasher.xxh3(0)).isSameAs(KeyHasher.xxh3());
  }

  @Test
  void nullKeysAreRejectedWithTheArgumentName() {
    assertThatThrownBy(() -> KeyHasher.xxh3().hashBytes(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> KeyHasher.xxh3().hashChars(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> KeyHasher.xxh3().hashObject(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
  }
}
