package io.dsblocks.storage.internal;

import java.util.Arrays;

/** A chunk id as a hash-map key (ids are uniform, so four bytes make a good hash code). */
final class ChunkKey {
  final byte[] id;
  private final int hash;

  ChunkKey(byte[] id) {
    this.id = id;
    this.hash = Bytes.getInt(id, 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkKey k && Arrays.equals(id, k.id);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
