package io.dsblocks.storage.internal;

import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.pack.PackFormat;
import io.dsblocks.storage.internal.replica.Pacer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks every copy of every referenced, sealed pack and repairs damaged or missing ones from a
 * healthy copy. A copy is healthy when its header is right, every committed record is in bounds,
 * passes its CRC32C and its AES-GCM tag (decoded like a read), and its trailer passes its CRC and
 * tag. One pack at a time is held in memory (each copy read whole, at most the pack target size).
 *
 * <p>Runs under the store's maintenance lock (no GC meanwhile). Not thread-safe: one per scrub.
 */
final class Scrubber {
  private final DefaultObjectStore store;
  private final Pacer pacer;
  private final List<ScrubReport.Problem> problems = new ArrayList<>();
  private int packs;
  private int copies;

  Scrubber(DefaultObjectStore store, Pacer pacer) {
    this.store = store;
    this.pacer = pacer;
  }

  ScrubReport run() {
    Replicator rep = store.replicator;
    Map<String, Set<String>> held = new HashMap<>();
    for (StorageNode node : rep.nodes().values()) {
      try {
        held.put(node.id(), new HashSet<>(node.list()));
      } catch (IOException | RuntimeException e) {
        held.put(node.id(), Set.of());
      }
    }
    List<Long> referenced = store.index.packsWithEntries();
    for (long id : referenced) {
      if (store.isUnsealed(id)) {
        continue; // still being written: not replicated yet, verify() covers its records
      }
      scrubPack(id, rep, held);
    }
    int orphans = rep.removeOrphans(new HashSet<>(referenced));
    return new ScrubReport(packs, copies, pacer.bytes(), problems, orphans);
  }

  private void scrubPack(long id, Replicator rep, Map<String, Set<String>> held) {
    packs++;
    String name = PackFormat.fileName(id);
    List<IndexedChunk> entries = store.index.packEntries(id);
    // location -> bytes (null if missing) and problem (null if healthy)
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    Map<String, String> bad = new LinkedHashMap<>();
    Path local = store.packReader.path(id);
    try {
      bytes.put(ScrubReport.LOCAL, Files.readAllBytes(local));
    } catch (NoSuchFileException e) {
      bytes.put(ScrubReport.LOCAL, null);
    } catch (IOException e) {
      bytes.put(ScrubReport.LOCAL, null);
      bad.put(ScrubReport.LOCAL, "unreadable: " + e.getMessage());
    }
    Set<String> placed = new HashSet<>();
    for (StorageNode n : rep.placement(name)) {
      placed.add(n.id());
    }
    Map<String, StorageNode> nodes = rep.nodes();
    for (StorageNode node : nodes.values()) {
      boolean has = held.get(node.id()).contains(name);
      if (!has && !placed.contains(node.id())) {
        continue;
      }
      byte[] b = null;
      if (has) {
        try {
          long size = node.size(name);
          b = size > Integer.MAX_VALUE ? null : node.read(name, 0, (int) size);
        } catch (IOException | RuntimeException e) {
          bad.put(node.id(), "unreadable: " + e.getMessage());
        }
      }
      bytes.put(node.id(), b);
    }
    byte[] good = null;
    String goodAt = null;
    for (Map.Entry<String, byte[]> c : bytes.entrySet()) {
      if (c.getValue() == null) {
        bad.putIfAbsent(c.getKey(), "copy is missing");
        continue;
      }
      copies++;
      pacer.acquire(c.getValue().length);
      String problem = check(id, c.getValue(), entries);
      if (problem != null) {
        bad.put(c.getKey(), problem);
      } else if (good == null) {
        good = c.getValue();
        goodAt = c.getKey();
      }
    }
    for (Map.Entry<String, String> b : bad.entrySet()) {
      boolean repaired = false;
      if (good != null) {
        repaired =
            b.getKey().equals(ScrubReport.LOCAL)
                ? rep.installLocal(id, good, goodAt, b.getValue())
                : rep.repairNode(nodes.get(b.getKey()), name, good, b.getValue(), goodAt);
      }
      problems.add(new ScrubReport.Problem(name, b.getKey(), b.getValue(), repaired));
    }
  }

  /** Returns what is wrong with one copy of a pack, or null if it is healthy. */
  private String check(long id, byte[] pack, List<IndexedChunk> entries) {
    try {
      if (pack.length < PackFormat.HEADER_LENGTH + PackFormat.FOOTER_LENGTH) {
        return "too short (" + pack.length + " bytes)";
      }
      String h = PackFormat.checkHeader(Arrays.copyOf(pack, PackFormat.HEADER_LENGTH), id);
      if (h != null) {
        return h;
      }
      for (IndexedChunk e : entries) {
        ChunkLocation l = e.location();
        if (l.end() > pack.length) {
          return "truncated: record at " + l.offset() + " ends past the file end " + pack.length;
        }
        byte[] record = Arrays.copyOfRange(pack, (int) l.offset(), (int) l.end());
        String p = PackFormat.checkRecord(record, e.id(), l.rawLength());
        if (p != null) {
          return "offset " + l.offset() + ": " + p;
        }
        store.decode(record, l, e.id(), l.rawLength());
      }
      byte[] footer = Arrays.copyOfRange(pack, pack.length - PackFormat.FOOTER_LENGTH, pack.length);
      int tl = PackFormat.trailerLength(footer);
      if (tl < 0 || tl > pack.length - PackFormat.HEADER_LENGTH - PackFormat.FOOTER_LENGTH) {
        return "no valid trailer footer";
      }
      int start = pack.length - PackFormat.FOOTER_LENGTH - tl;
      PackFormat.openTrailer(id, Arrays.copyOfRange(pack, start, start + tl), footer, store.sealer);
      return null;
    } catch (StorageCorruptionException e) {
      return e.getMessage();
    }
  }
}
