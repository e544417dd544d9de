package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.delta.DeltaCodec;
import io.dsblocks.storage.internal.delta.SketchIndex;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pipeline.ChunkPipeline;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * Turns a new chunk into its stored form: a delta against a similar stored chunk when one is found
 * and the delta is smaller, else the chunk compressed on its own.
 *
 * <p>Similar chunks are found through a {@link SketchIndex} of the chunks this store wrote (in
 * memory, bounded; see "Near-duplicate deltas" in the README). With {@link
 * io.dsblocks.storage.StorageConfig#persistDeltaSketches} it is carried from one open to the next:
 * a clean close saves it sealed in the index ({@link #saveSketches}) and the next open restores it,
 * so a backup run in a new process finds near-duplicates of the previous run's chunks. A candidate
 * base is used only if it is committed (found in the index, protected from a concurrent GC cycle
 * like a dedup hit) and is not itself a delta, so every delta is one level deep. The delta form
 * names the base inside the sealed bytes; the commit also writes a {@code delta_bases} row (delta
 * id → base id) so garbage collection keeps the base alive while the delta exists.
 *
 * <p>The {@value #CANDIDATES} candidates sharing the most super-features are tried (the first is
 * not always the closest version: a file's sibling may share as many features) and the smaller
 * delta wins. A delta is kept when its form is at most 1/16 of the chunk (a near-copy), or else
 * when it is smaller than the chunk compressed alone (both are computed then).
 *
 * <p>Thread-safe.
 */
final class ChunkEncoder {

  /** Result: the sealed record payload and the base chunk id, or {@code null} if not a delta. */
  record Encoded(byte[] sealed, byte[] baseId) {}

  /** Similar chunks tried as bases; the smaller delta wins. */
  static final int CANDIDATES = 2;

  private final DefaultObjectStore store;
  private final RepositoryCompressor compressor;
  private final SketchIndex sketches;

  /**
   * Plaintexts of recently read bases, least recently used first, at most {@link
   * #BASE_CACHE_BYTES}. Sibling files (generated variants, one class per platform) pick the same
   * base: on the JDK trees 44% of delta attempts named a base already tried, and reading one costs
   * a pack read, decryption, decompression and a hash check. A chunk's content never changes (its
   * id is its hash), so an entry cannot be stale; whether the base still exists is checked (and
   * protected from GC) before every use, cached or not. Guarded by itself.
   */
  private final LinkedHashMap<ChunkKey, CachedBase> recentBases =
      new LinkedHashMap<>(64, 0.75f, true);

  private long cachedBytes; // guarded by recentBases

  /** Budget of {@link #recentBases}. */
  static final long BASE_CACHE_BYTES = 8 << 20;

  /** Index row holding the sealed sketch index saved at the last clean close. */
  static final byte[] SKETCH_ROW = "sketches".getBytes(StandardCharsets.US_ASCII);

  /** Associated data binding the sealed sketch state to its role. */
  private static final byte[] SKETCH_AD = "dsb/sketches/1".getBytes(StandardCharsets.US_ASCII);

  ChunkEncoder(DefaultObjectStore store, RepositoryCompressor compressor, SketchIndex sketches) {
    this.store = store;
    this.compressor = compressor;
    this.sketches = Objects.requireNonNull(sketches, "sketches");
  }

  /**
   * Restores the sketch index saved by the last clean close. Advisory: a missing row, one that
   * fails authentication (tampered, or sealed under a key this open does not have) or a malformed
   * state leaves the index empty, which costs compression of near-duplicates, never data.
   */
  void restoreSketches() {
    byte[] sealed = store.db.get(store.db.meta, SKETCH_ROW);
    if (sealed == null) {
      return;
    }
    try {
      sketches.restore(store.sealer.open(sealed, 0, sealed.length, SKETCH_AD));
    } catch (RuntimeException e) {
      // StorageCorruptionException from the sealer, or anything else: start empty.
    }
  }

  /**
   * Deletes a sketch index saved by an earlier open that persisted it, so a store that no longer
   * does keeps no stale row (a few MB). Advisory like the row itself: a failure is ignored.
   */
  void discardSavedSketches() {
    try {
      if (store.db.get(store.db.meta, SKETCH_ROW) != null) {
        store.db.delete(store.db.meta, SKETCH_ROW, false);
      }
    } catch (RuntimeException e) {
      // Left for the next open to try again.
    }
  }

  /**
   * Saves the sketch index (sealed, unsynced: it is only a hint) if chunks were added since the
   * open. Called by close before the index closes; never throws.
   */
  void saveSketches() {
    if (sketches.additions() == 0) {
      return;
    }
    try {
      byte[] state = sketches.export();
      store.db.put(
          store.db.meta, SKETCH_ROW, store.sealer.seal(state, 0, state.length, SKETCH_AD), false);
    } catch (RuntimeException e) {
      // The next open starts with whatever state was saved before, or none: only a hint.
    }
  }

  Encoded encode(byte[] id, byte[] buf, int off, int len) {
    ChunkPipeline pipeline = store.pipeline;
    if (len < SketchIndex.MIN_LENGTH) {
      return new Encoded(pipeline.sealCompressed(id, compressor.compress(buf, off, len)), null);
    }
    long[] sketch = SketchIndex.sketch(buf, off, len);
    byte[] normal = null;
    byte[] bestForm = null;
    byte[] bestBase = null;
    for (byte[] candidate : sketches.candidates(sketch, CANDIDATES)) {
      if (Arrays.equals(candidate, id)) {
        continue;
      }
      byte[] form = deltaForm(candidate, buf, off, len);
      if (form != null && (bestForm == null || form.length < bestForm.length)) {
        bestForm = form;
        bestBase = candidate;
        if (form.length <= len / 64) {
          break; // a near-exact copy: another candidate cannot save more than a few bytes
        }
      }
    }
    if (bestForm != null) {
      if (bestForm.length > len / 16) {
        normal = compressor.compress(buf, off, len);
      }
      if (normal == null || bestForm.length < normal.length) {
        return new Encoded(pipeline.sealCompressed(id, bestForm), bestBase);
      }
    }
    if (normal == null) {
      normal = compressor.compress(buf, off, len);
    }
    // Only chunks stored whole become bases: a delta's base is never a delta.
    sketches.add(sketch, id);
    return new Encoded(pipeline.sealCompressed(id, normal), null);
  }

  /** A base's plaintext and the record it was read from. */
  private record CachedBase(ChunkLocation location, byte[] plain) {}

  /**
   * The cached plaintext of a base, if it was read from the record the index names now. Another
   * record (the chunk was collected and written again, maybe as a delta, or moved by a repack) is
   * read again: only a record read through {@link ChunkPipeline#readAsBase} is known not to be a
   * delta, and records never change in place (pack ids are not reused).
   */
  private byte[] cachedBase(ChunkKey key, ChunkLocation loc) {
    synchronized (recentBases) {
      CachedBase c = recentBases.get(key);
      return c != null && c.location().equals(loc) ? c.plain() : null;
    }
  }

  private void cacheBase(ChunkKey key, ChunkLocation loc, byte[] base) {
    synchronized (recentBases) {
      CachedBase old = recentBases.put(key, new CachedBase(loc, base));
      cachedBytes += base.length - (old == null ? 0 : old.plain().length);
      Iterator<CachedBase> oldest = recentBases.values().iterator();
      while (cachedBytes > BASE_CACHE_BYTES && oldest.hasNext()) {
        cachedBytes -= oldest.next().plain().length;
        oldest.remove();
      }
    }
  }

  /** The delta form against a candidate, or null if the candidate is unusable or too different. */
  private byte[] deltaForm(byte[] baseId, byte[] buf, int off, int len) {
    ChunkKey key = new ChunkKey(baseId);
    // Protected before the lookup, as for a dedup hit: a GC cycle cannot delete the base now.
    ChunkLocation loc = store.gcGuard.protect(key, () -> store.index.lookup(baseId));
    if (loc == null) {
      return null; // not committed (yet), or collected
    }
    byte[] base = cachedBase(key, loc);
    if (base == null) {
      try {
        base = ChunkPipeline.readAsBase(() -> store.readChunk(baseId, loc.rawLength()));
      } catch (StorageCorruptionException e) {
        return null; // damaged, or itself a delta: store the chunk whole
      }
      cacheBase(key, loc, base);
    }
    byte[] program = DeltaCodec.encode(base, buf, off, len, len / 2);
    if (program == null) {
      return null; // too different: most candidates sharing a feature or two are
    }
    byte[] inner = compressor.compressUnsampled(program, 0, program.length);
    return ChunkPipeline.deltaForm(len, baseId, base.length, inner);
  }
}
