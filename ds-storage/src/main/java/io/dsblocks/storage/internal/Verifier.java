package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.VerificationReport;
import io.dsblocks.storage.VerificationReport.DamagedObject;
import io.dsblocks.storage.VerificationReport.DamagedPack;
import io.dsblocks.storage.internal.index.Catalog;
import io.dsblocks.storage.internal.index.ChunkListReader;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.VersionRecord;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A full scrub: reads every committed record (checksum, authentication, decompression), checks
 * every sealed pack's header and trailer, then maps damaged records to the object versions that
 * reference them. Memory holds only the damaged locations, never the whole index.
 *
 * <p>Not thread-safe: one instance per {@link DefaultObjectStore#verify()} call.
 */
final class Verifier {
  private final DefaultObjectStore store;
  private final Map<Long, Set<Long>> damagedOffsets = new HashMap<>();
  private final TreeMap<Long, long[]> damagedCounts = new TreeMap<>();
  private final Map<Long, String> reasons = new HashMap<>();
  private final List<DamagedObject> damagedObjects = new ArrayList<>();
  private int packsChecked;
  private long chunksChecked;

  Verifier(DefaultObjectStore store) {
    this.store = store;
  }

  VerificationReport run() {
    TreeSet<Long> ids = new TreeSet<>(store.listAllPacks());
    ids.addAll(store.index.packsWithEntries());
    for (long id : ids) {
      checkPack(id);
    }
    store.catalog.forEachVersion(
        new Catalog.VersionVisitor() {
          @Override
          public void version(VersionRecord record) {
            checkObject(record);
          }

          @Override
          public void unreadable(String key, long versionId, StorageCorruptionException error) {
            damagedObjects.add(new DamagedObject(key, versionId, List.of(), 0));
          }
        });
    List<DamagedPack> packs = new ArrayList<>();
    for (Map.Entry<Long, long[]> e : damagedCounts.entrySet()) {
      String name = PackFormat.fileName(e.getKey());
      String reason = reasons.get(e.getKey());
      packs.add(new DamagedPack(name, e.getValue()[0], reason));
      if (store.listener != StorageListener.NOOP) {
        try {
          store.listener.onPackDamaged(name, reason);
        } catch (RuntimeException ignored) {
          // Listener errors must not break verification.
        }
      }
    }
    return new VerificationReport(packsChecked, chunksChecked, packs, damagedObjects);
  }

  private void checkPack(long id) {
    packsChecked++;
    List<IndexedChunk> entries = store.index.packEntries(id);
    if (!Files.exists(store.packReader.path(id))) {
      for (IndexedChunk e : entries) {
        damaged(id, e.location().offset(), "pack file is missing");
      }
      return;
    }
    if (!store.isUnsealed(id)) {
      try {
        store.packReader.readTrailer(id, store.sealer);
      } catch (StorageCorruptionException e) {
        problem(id, e.getMessage());
      }
    }
    for (IndexedChunk e : entries) {
      chunksChecked++;
      try {
        store.readChunkAtLocal(e.location(), e.id(), e.location().rawLength());
      } catch (StorageCorruptionException ex) {
        damaged(id, e.location().offset(), ex.getMessage());
      }
    }
  }

  private void problem(long packId, String reason) {
    damagedCounts.computeIfAbsent(packId, k -> new long[1]);
    reasons.putIfAbsent(packId, reason);
  }

  private void damaged(long packId, long offset, String reason) {
    problem(packId, reason);
    damagedCounts.get(packId)[0]++;
    damagedOffsets.computeIfAbsent(packId, k -> new HashSet<>()).add(offset);
  }

  private void checkObject(VersionRecord record) {
    if (record.info().deleteMarker()) {
      return;
    }
    long bad = 0;
    Set<String> packs = new TreeSet<>();
    try {
      ChunkListReader r = new ChunkListReader(store.catalog, record.chunks());
      while (r.hasNext()) {
        r.next();
        ChunkLocation loc = store.index.locate(r.id());
        if (loc == null) {
          bad++;
        } else {
          Set<Long> offsets = damagedOffsets.get(loc.packId());
          if (offsets != null && offsets.contains(loc.offset())) {
            bad++;
            packs.add(PackFormat.fileName(loc.packId()));
          }
        }
      }
    } catch (StorageCorruptionException e) {
      // Its chunk list itself is unreadable.
      damagedObjects.add(
          new DamagedObject(
              record.info().key(), record.info().versionId(), List.copyOf(packs), bad));
      return;
    }
    if (bad > 0) {
      damagedObjects.add(
          new DamagedObject(
              record.info().key(), record.info().versionId(), List.copyOf(packs), bad));
    }
  }
}
