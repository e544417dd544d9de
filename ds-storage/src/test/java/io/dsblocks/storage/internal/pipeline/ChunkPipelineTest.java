package io.dsblocks.storage.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.compress.Compressors;
import io.dsblocks.storage.internal.crypto.AesGcmSealer;
import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.crypto.HmacSha256Hasher;
import io.dsblocks.storage.internal.crypto.KeyRing;
import io.dsblocks.storage.internal.delta.DeltaCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChunkPipelineTest {

  private static byte[] bytes(int seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static final byte[] TEXT =
      "the quick brown fox jumps over the lazy dog; ".repeat(200).getBytes(StandardCharsets.UTF_8);

  private static ChunkPipeline pipeline(ChunkCompressor compressor) {
    return new ChunkPipeline(
        new HmacSha256Hasher(bytes(1, 32)),
        compressor,
        new AesGcmSealer(KeyRing.of(1, bytes(2, 32))));
  }

  @Test
  void sealsCompressedAndOpensToThePlaintext() {
    for (ChunkCompressor c : List.of(Compressors.lz4(), Compressors.zstd(3), Compressors.none())) {
      ChunkPipeline p = pipeline(c);
      for (byte[] data : List.of(TEXT, bytes(3, 5000), new byte[0])) {
        byte[] id = p.id(data, 0, data.length);
        byte[] sealed = p.seal(id, data, 0, data.length);
        assertThat(p.open(id, sealed, 0, sealed.length)).isEqualTo(data);
      }
    }
    // Compression happens before encryption: text shrinks even though it is encrypted.
    ChunkPipeline p = pipeline(Compressors.lz4());
    byte[] sealed = p.seal(p.id(TEXT, 0, TEXT.length), TEXT, 0, TEXT.length);
    assertThat(sealed.length).isLessThan(TEXT.length / 4);
  }

  @Test
  void idIsAKeyedHashOfThePlaintextOnly() {
    ChunkPipeline lz4 = pipeline(Compressors.lz4());
    ChunkPipeline zstd = pipeline(Compressors.zstd(3));
    byte[] framed = new byte[TEXT.length + 4];
    System.arraycopy(TEXT, 0, framed, 4, TEXT.length);
    // Same content, same id, whatever the compressor or position: that is what dedups.
    assertThat(zstd.id(framed, 4, TEXT.length)).isEqualTo(lz4.id(TEXT, 0, TEXT.length));
  }

  @Test
  void aChunkPresentedUnderAnotherIdOrTamperedIsCorruption() {
    ChunkPipeline p = pipeline(Compressors.lz4());
    byte[] a = bytes(4, 3000);
    byte[] b = bytes(5, 3000);
    byte[] idA = p.id(a, 0, a.length);
    byte[] idB = p.id(b, 0, b.length);
    byte[] sealedA = p.seal(idA, a, 0, a.length);
    assertThatThrownBy(() -> p.open(idB, sealedA, 0, sealedA.length))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("authentication failed");
    byte[] flipped = sealedA.clone();
    flipped[100] ^= 4;
    assertThatThrownBy(() -> p.open(idA, flipped, 0, flipped.length))
        .isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void contentWhoseHashIsNotTheIdIsRejectedEvenIfAuthentic() {
    // Seal under an id that is not the content's hash (a bug upstream, or a pipeline with
    // another hash key sharing the data key): authentication passes, the hash check must not.
    ChunkSealer sealer = new AesGcmSealer(KeyRing.of(1, bytes(2, 32)));
    ChunkPipeline writer =
        new ChunkPipeline(new HmacSha256Hasher(bytes(9, 32)), Compressors.lz4(), sealer);
    ChunkPipeline reader =
        new ChunkPipeline(new HmacSha256Hasher(bytes(1, 32)), Compressors.lz4(), sealer);
    byte[] id = writer.id(TEXT, 0, TEXT.length);
    byte[] sealed = writer.seal(id, TEXT, 0, TEXT.length);
    assertThat(writer.open(id, sealed, 0, sealed.length)).isEqualTo(TEXT);
    assertThatThrownBy(() -> reader.open(id, sealed, 0, sealed.length))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("decoded to content whose id is")
        .hasMessageContaining(java.util.HexFormat.of().formatHex(id));
  }

  @Test
  void aBaseIsAuthenticatedNotRehashedAndOnlyTheRightBasePassesTheDeltasResultCheck() {
    AtomicInteger hashes = new AtomicInteger();
    ChunkHasher keyed = new HmacSha256Hasher(bytes(1, 32));
    ChunkHasher counting =
        (data, off, len) -> {
          hashes.incrementAndGet();
          return keyed.id(data, off, len);
        };
    ChunkCompressor lz4 = Compressors.lz4();
    Map<String, byte[]> records = new HashMap<>();
    ChunkPipeline[] self = new ChunkPipeline[1];
    self[0] =
        new ChunkPipeline(
            counting,
            lz4,
            new AesGcmSealer(KeyRing.of(1, bytes(2, 32))),
            (id, rawLength) -> {
              byte[] record = records.get(HexFormat.of().formatHex(id));
              return self[0].open(id, record, 0, record.length);
            });
    ChunkPipeline p = self[0];
    byte[] base = bytes(7, 8000); // random: the delta copies every region of it
    byte[] target = base.clone();
    target[100] ^= 1;
    target[5000] ^= 1;
    byte[] baseId = p.id(base, 0, base.length);
    byte[] targetId = p.id(target, 0, target.length);
    records.put(HexFormat.of().formatHex(baseId), p.seal(baseId, base, 0, base.length));
    byte[] program = DeltaCodec.encode(base, target, 0, target.length);
    byte[] delta =
        p.sealDelta(
            targetId, target.length, baseId, base.length, lz4.compress(program, 0, program.length));

    // Opening the delta hashes its result only; the base opened on its own is hashed as usual.
    hashes.set(0);
    assertThat(p.open(targetId, delta, 0, delta.length)).isEqualTo(target);
    assertThat(hashes.get()).isEqualTo(1);
    byte[] baseRecord = records.get(HexFormat.of().formatHex(baseId));
    hashes.set(0);
    assertThat(p.open(baseId, baseRecord, 0, baseRecord.length)).isEqualTo(base);
    assertThat(hashes.get()).isEqualTo(1);
    // The writer's read of a base to encode against is authenticated, not hashed, and refuses a
    // delta.
    hashes.set(0);
    assertThat(ChunkPipeline.readAsBase(() -> p.open(baseId, baseRecord, 0, baseRecord.length)))
        .isEqualTo(base);
    assertThat(hashes.get()).isZero();
    assertThatThrownBy(
            () -> ChunkPipeline.readAsBase(() -> p.open(targetId, delta, 0, delta.length)))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("one level deep");
    // Outside a base read, opening is hashed again.
    hashes.set(0);
    p.open(baseId, baseRecord, 0, baseRecord.length);
    assertThat(hashes.get()).isEqualTo(1);

    // An authentic record under the base's id holding other bytes of the same length (a bug
    // upstream): the delta decodes against them, and its result fails its own check.
    byte[] other = base.clone();
    other[2000] ^= 1;
    records.put(HexFormat.of().formatHex(baseId), p.seal(baseId, other, 0, other.length));
    assertThatThrownBy(() -> p.open(targetId, delta, 0, delta.length))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("decoded to content whose id is")
        .hasMessageContaining(HexFormat.of().formatHex(targetId));
  }

  @Test
  void opensFromTheMiddleOfABuffer() {
    ChunkPipeline p = pipeline(Compressors.zstd(1));
    byte[] id = p.id(TEXT, 0, TEXT.length);
    byte[] sealed = p.seal(id, TEXT, 0, TEXT.length);
    byte[] pack = new byte[sealed.length + 100];
    System.arraycopy(sealed, 0, pack, 60, sealed.length);
    assertThat(p.open(id, pack, 60, sealed.length)).isEqualTo(TEXT);
    assertThat(Arrays.copyOfRange(pack, 0, 60)).containsOnly(0);
  }
}
