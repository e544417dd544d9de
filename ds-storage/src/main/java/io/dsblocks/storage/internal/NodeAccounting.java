package io.dsblocks.storage.internal;

import io.dsblocks.storage.NodeStats;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.TierStats;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-node accounting behind {@link io.dsblocks.storage.ReplicationStats#perNode()}.
 *
 * <p><b>How it stays cheap.</b> The truth is three things: which packs each node holds (an
 * in-memory map updated by the replicator when it copies, confirms, repairs or deletes a copy, and
 * filled from the nodes' listings at open and at scrub), each pack's committed entries (the {@code
 * pack_entries} index rows) and each copy's size. The per-node sums are maintained from per-pack
 * contributions: every event that can change a held pack's contribution (a copy gained or lost, a
 * commit, sweep or migration that adds or removes entries of a pack some node holds) only puts the
 * pack id in a dirty set; {@link #snapshot} re-reads just the dirty packs (one short index range
 * scan each), subtracts their old contribution from their old holders and adds the new one. Packs
 * no node holds (the pack being written, everything when there are no nodes) cost a hash lookup per
 * event. An event marks its pack after changing the truth and a snapshot takes a pack out of the
 * dirty set before reading it, so a change racing a snapshot is picked up by the next one.
 *
 * <p>Thread-safe: holdings and counters are concurrent; the sums are guarded by {@code this}.
 */
final class NodeAccounting {
  /** A copy the node should get, with its size and since when it is waited for. */
  private record Pending(long size, Instant since) {}

  /** What one pack currently adds to each holder's sums. */
  private record Contribution(long chunks, long unique, long stored, Map<String, Long> sizes) {}

  private static final class Node {
    final String id;
    final ConcurrentHashMap<Long, Long> held = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    final AtomicLong copies = new AtomicLong();
    final AtomicLong copiedBytes = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong repairs = new AtomicLong();
    final AtomicLong served = new AtomicLong();
    final AtomicLong fallbacks = new AtomicLong();
    // Guarded by the accounting's monitor.
    long packs;
    long packBytes;
    long chunks;
    long unique;
    long stored;

    Node(String id) {
      this.id = id;
    }
  }

  private final DefaultObjectStore store;
  private final InstantSource clock;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Set<Long> dirty = ConcurrentHashMap.newKeySet();

  /** Guarded by {@code this}. */
  private final Map<Long, Contribution> applied = new HashMap<>();

  NodeAccounting(DefaultObjectStore store, Iterable<String> nodeIds) {
    this.store = store;
    this.clock = store.config().clock();
    for (String id : nodeIds) {
      nodes.put(id, new Node(id));
    }
  }

  // ------------------------------------------------------------------ events

  /** The node holds a complete copy of the pack, of this size. */
  void held(String node, long packId, long size) {
    Node n = nodes.get(node);
    n.pending.remove(packId);
    Long before = n.held.put(packId, size);
    if (before == null || before != size) {
      dirty.add(packId);
    }
  }

  /** The node listed the pack: records it unless already known (the size is then looked up). */
  void listed(String node, long packId, StorageNode source) {
    Node n = nodes.get(node);
    if (n.held.containsKey(packId)) {
      return;
    }
    long size;
    try {
      java.nio.file.Path local = store.packReader.path(packId);
      size = Files.exists(local) ? Files.size(local) : source.size(PackFormat.fileName(packId));
    } catch (IOException | RuntimeException e) {
      return; // vanished meanwhile, or the node cannot answer: the next listing tries again
    }
    held(node, packId, size);
  }

  /** The pack left every node (garbage collection deleted it). */
  void dropped(long packId) {
    for (Node n : nodes.values()) {
      n.pending.remove(packId);
      n.held.remove(packId);
    }
    dirty.add(packId);
  }

  /** The node should hold the pack but does not yet. */
  void pending(String node, long packId, long size) {
    Node n = nodes.get(node);
    if (!n.held.containsKey(packId)) {
      n.pending.putIfAbsent(packId, new Pending(size, clock.instant()));
    }
  }

  /** The copier is done with the pack (copied, or found deleted): nothing is waited for. */
  void notPending(long packId) {
    for (Node n : nodes.values()) {
      n.pending.remove(packId);
    }
  }

  /**
   * Committed entries of these packs were added or removed: re-read them at the next snapshot if a
   * node holds them.
   */
  void entriesChanged(Iterable<Long> packIds) {
    for (long id : packIds) {
      if (heldAnywhere(id)) {
        dirty.add(id);
      }
    }
  }

  /** Like {@link #entriesChanged} for the packs these chunks were in. */
  void chunksChanged(List<IndexedChunk> chunks) {
    long last = -1;
    for (IndexedChunk c : chunks) {
      long id = c.location().packId();
      if (id != last && heldAnywhere(id)) {
        dirty.add(id);
      }
      last = id;
    }
  }

  private boolean heldAnywhere(long packId) {
    for (Node n : nodes.values()) {
      if (n.held.containsKey(packId)) {
        return true;
      }
    }
    return false;
  }

  void copied(String node, long bytes) {
    Node n = nodes.get(node);
    n.copies.incrementAndGet();
    n.copiedBytes.addAndGet(bytes);
  }

  void copyFailed(String node) {
    nodes.get(node).failures.incrementAndGet();
  }

  void repaired(String node) {
    nodes.get(node).repairs.incrementAndGet();
  }

  void served(String node) {
    nodes.get(node).served.incrementAndGet();
  }

  void fellBack(String node) {
    nodes.get(node).fallbacks.incrementAndGet();
  }

  // ------------------------------------------------------------------ snapshots

  /**
   * Brings the sums up to date (re-reading only the packs changed since the last call) and returns
   * an immutable per-node snapshot.
   *
   * @param tiers the store's current per-tier stats, for attributing logical bytes
   * @return stats by node id, in configuration order
   */
  synchronized Map<String, NodeStats> snapshot(Map<Tier, TierStats> tiers) {
    for (Iterator<Long> it = dirty.iterator(); it.hasNext(); ) {
      long id = it.next();
      it.remove();
      refresh(id);
    }
    Instant now = clock.instant();
    Map<String, NodeStats> out = new LinkedHashMap<>();
    for (Node n : nodes.values()) {
      long pendingBytes = 0;
      Instant oldest = null;
      int pendingCount = 0;
      for (Pending p : n.pending.values()) {
        pendingCount++;
        pendingBytes += p.size();
        if (oldest == null || p.since().isBefore(oldest)) {
          oldest = p.since();
        }
      }
      Duration lag =
          oldest == null || now.isBefore(oldest) ? Duration.ZERO : Duration.between(oldest, now);
      out.put(
          n.id,
          new NodeStats(
              n.id,
              n.packs,
              n.packBytes,
              n.chunks,
              n.unique,
              n.stored,
              attributeLogical(n.unique, tiers),
              pendingCount,
              pendingBytes,
              lag,
              n.copies.get(),
              n.copiedBytes.get(),
              n.failures.get(),
              n.repairs.get(),
              n.served.get(),
              n.fallbacks.get()));
    }
    return out;
  }

  /** Replaces one pack's contribution by what the holdings and the index say now. */
  private void refresh(long packId) {
    Contribution old = applied.remove(packId);
    if (old != null) {
      apply(old, -1);
    }
    Map<String, Long> sizes = new HashMap<>();
    for (Node n : nodes.values()) {
      Long size = n.held.get(packId);
      if (size != null) {
        sizes.put(n.id, size);
      }
    }
    if (sizes.isEmpty()) {
      return;
    }
    long[] s = summarize(store.index.packEntries(packId));
    Contribution now = new Contribution(s[0], s[1], s[2], sizes);
    applied.put(packId, now);
    apply(now, 1);
  }

  private void apply(Contribution c, int sign) {
    for (Map.Entry<String, Long> e : c.sizes().entrySet()) {
      Node n = nodes.get(e.getKey());
      n.packs += sign;
      n.packBytes += sign * e.getValue();
      n.chunks += sign * c.chunks();
      n.unique += sign * c.unique();
      n.stored += sign * c.stored();
    }
  }

  /** Chunks, unique bytes, stored bytes of a pack's entries. */
  private static long[] summarize(List<IndexedChunk> entries) {
    long[] s = new long[3];
    for (IndexedChunk e : entries) {
      ChunkLocation l = e.location();
      s[0]++;
      s[1] += l.rawLength();
      s[2] += l.length();
    }
    return s;
  }

  /**
   * The repository's logical bytes shared out by the fraction of its unique bytes the node holds.
   * Not per tier: a tier's logical bytes may use chunks that live in a hotter tier (a tier can have
   * logical bytes and no chunks), so only the repository-wide ratio is meaningful.
   */
  private static long attributeLogical(long nodeUnique, Map<Tier, TierStats> tiers) {
    long logical = 0;
    long unique = 0;
    for (TierStats ts : tiers.values()) {
      logical += ts.logicalBytes();
      unique += ts.uniqueBytes();
    }
    return unique == 0 ? 0 : Math.round((double) logical * nodeUnique / unique);
  }

  /**
   * Recounts the space figures from scratch: lists every node and reads the entries of every pack
   * it holds that is not an orphan (tests compare this with {@link #snapshot}). Counters and lag
   * are zero in the result.
   *
   * @param nodeMap the nodes
   * @param tiers per-tier stats for the attribution
   * @return recounted stats by node id
   */
  Map<String, NodeStats> recount(Map<String, StorageNode> nodeMap, Map<Tier, TierStats> tiers) {
    Set<Long> referenced = new java.util.HashSet<>(store.index.packsWithEntries());
    Map<String, NodeStats> out = new LinkedHashMap<>();
    for (StorageNode node : nodeMap.values()) {
      long packs = 0;
      long packBytes = 0;
      long[] sums = new long[3];
      List<String> names;
      try {
        names = node.list();
      } catch (IOException e) {
        throw new io.dsblocks.storage.StorageException("cannot list " + node.id(), e);
      }
      for (String name : names) {
        long id = PackFormat.parseFileName(name);
        if (id < 0 || !(referenced.contains(id) || Files.exists(store.packReader.path(id)))) {
          continue;
        }
        try {
          packBytes += node.size(name);
        } catch (IOException e) {
          throw new io.dsblocks.storage.StorageException("cannot size " + name, e);
        }
        packs++;
        long[] s = summarize(store.index.packEntries(id));
        for (int i = 0; i < 3; i++) {
          sums[i] += s[i];
        }
      }
      out.put(
          node.id(),
          new NodeStats(
              node.id(),
              packs,
              packBytes,
              sums[0],
              sums[1],
              sums[2],
              attributeLogical(sums[1], tiers),
              0,
              0,
              Duration.ZERO,
              0,
              0,
              0,
              0,
              0,
              0));
    }
    return out;
  }
}
