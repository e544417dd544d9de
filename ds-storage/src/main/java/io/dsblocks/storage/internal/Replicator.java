package io.dsblocks.storage.internal;

import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.ShardRouter;
import io.dsblocks.sharding.ShardRouters;
import io.dsblocks.sharding.SimpleNode;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ReplicationStats;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.pack.PackFiles;
import io.dsblocks.storage.internal.pack.PackFormat;
import io.dsblocks.storage.internal.pack.PackState;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * Keeps {@code R} copies of every referenced pack: the local one in {@code packs/} (replica #0) and
 * {@code R - 1} on {@link StorageNode}s chosen by rendezvous hashing of the pack's file name over
 * the node ids.
 *
 * <p><b>Protocol.</b> Replicas only ever hold <em>sealed</em> packs, which never change, so a copy
 * is a whole-file write and "same name, same size" means "already copied" (content is checked by
 * scrub). In {@link ReplicationMode#SYNC} a commit seals every pack it references and copies it to
 * its nodes (each copy fsynced) before its index write, so an acknowledged write has R durable
 * copies; the price is one pack per commit (small packs under many small commits). In {@link
 * ReplicationMode#ASYNC} the pack writer reports each sealed pack and the copier thread copies it;
 * the pack being written is copied once it fills or the store closes. Either way, under-replicated
 * packs are recomputed at open by asking every pack's nodes, so nothing depends on in-memory state.
 *
 * <p><b>Reads</b> that find the local copy missing or corrupt try every node in rendezvous order
 * (placement nodes first), and a good record both answers the read and triggers a repair of the
 * local copy (whole pack, checked, fsynced, renamed into place).
 *
 * <p><b>Deletes</b> (garbage collection) remove the local file first and the replicas after it; a
 * crash in between leaves orphans, which open and scrub delete (a node file whose pack has no
 * committed entry).
 *
 * <p>Thread-safe.
 */
final class Replicator implements AutoCloseable {
  private static final long STOP = Long.MIN_VALUE;
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final DefaultObjectStore store;
  private final ReplicationMode mode;
  private final int factor;
  private final Map<String, StorageNode> nodes = new LinkedHashMap<>();
  private final ShardRouter<SimpleNode> router;
  private final Object[] stripes = new Object[64];

  /** Packs confirmed at R copies in this run. */
  private final Set<Long> replicated = ConcurrentHashMap.newKeySet();

  /** Packs waiting for the copier, with their size (the lag). */
  private final ConcurrentHashMap<Long, Long> lag = new ConcurrentHashMap<>();

  private final LinkedBlockingDeque<Long> queue = new LinkedBlockingDeque<>();
  private final AtomicLong copiedPacks = new AtomicLong();
  private final AtomicLong copiedBytes = new AtomicLong();
  private final AtomicLong failedCopies = new AtomicLong();
  private final AtomicLong repairs = new AtomicLong();
  private volatile boolean closed;
  private Thread copier;

  /** Per-node space accounting and counters (ReplicationStats.perNode). */
  final NodeAccounting accounting;

  private volatile Map<String, io.dsblocks.storage.NodeStats> lastPerNode = Map.of();

  Replicator(DefaultObjectStore store) {
    this.store = store;
    this.mode = store.config().replicationMode();
    this.factor = store.config().replicationFactor();
    List<SimpleNode> ids = new ArrayList<>();
    for (StorageNode n : store.config().replicaNodes()) {
      nodes.put(n.id(), n);
      ids.add(Node.of(n.id()));
    }
    this.router = ids.isEmpty() ? null : ShardRouters.rendezvous(ids);
    this.accounting = new NodeAccounting(store, nodes.keySet());
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  boolean enabled() {
    return router != null;
  }

  boolean synchronous() {
    return router != null && factor > 1 && mode == ReplicationMode.SYNC;
  }

  /**
   * The nodes that should hold copies of a pack, in rendezvous order.
   *
   * @param packName the pack's file name
   * @return {@code R - 1} nodes
   */
  List<StorageNode> placement(String packName) {
    if (router == null || factor == 1) {
      return List.of();
    }
    return resolve(router.replicas(packName, factor - 1));
  }

  /** Every node in rendezvous order for a pack: where to look for a copy. */
  private List<StorageNode> searchOrder(String packName) {
    return router == null ? List.of() : resolve(router.replicas(packName, nodes.size()));
  }

  private List<StorageNode> resolve(List<SimpleNode> chosen) {
    List<StorageNode> out = new ArrayList<>(chosen.size());
    for (SimpleNode n : chosen) {
      out.add(nodes.get(n.id()));
    }
    return out;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Resumes where the last run left off: repairs missing or damaged local packs from replicas,
   * queues referenced packs that lack copies, deletes orphans, then starts the copier.
   *
   * @param damaged packs recovery found damaged (file name to reason)
   */
  void start(Map<String, String> damaged) {
    if (router == null) {
      return;
    }
    for (Map.Entry<String, String> e : damaged.entrySet()) {
      long id = PackFormat.parseFileName(e.getKey());
      if (id >= 0) {
        repairLocalQuietly(id, e.getValue());
      }
    }
    Set<Long> referenced = new HashSet<>(store.index.packsWithEntries());
    // Listing first also tells the per-node accounting which copies the nodes already hold.
    removeOrphans(referenced);
    if (factor > 1) {
      for (long id : referenced) {
        if (!store.isUnsealed(id) && Files.exists(store.packReader.path(id))) {
          enqueue(id);
        }
      }
    }
    copier = new Thread(this::copyLoop, "dsblocks-storage-replicator");
    copier.setDaemon(true);
    copier.start();
  }

  /** Stops the copier after its current copy. What is left is found again at the next open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.offerFirst(STOP);
    Thread t = copier;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ copying

  /**
   * Called by the pack writer when a pack's trailer is durable. A pack usually fills before the
   * commits that reference it land, so it is queued only if something is committed in it already;
   * otherwise {@link #committed} queues it.
   */
  void sealed(long packId) {
    if (asyncCopies() && !store.index.packEntries(packId).isEmpty()) {
      enqueue(packId);
    }
  }

  /**
   * Called after a commit's index write for each pack it references: queues the sealed ones. One of
   * this and {@link #sealed} always sees the other's step (the index write precedes this check, and
   * the seal marks the pack sealed before its hook reads the index), so no pack is missed.
   *
   * @param packIds packs the commit references
   */
  void committed(Iterable<Long> packIds) {
    accounting.entriesChanged(packIds);
    if (!asyncCopies()) {
      return;
    }
    for (long id : packIds) {
      if (!store.isUnsealed(id) && !replicated.contains(id)) {
        enqueue(id);
      }
    }
  }

  private boolean asyncCopies() {
    return router != null && factor > 1 && mode == ReplicationMode.ASYNC && !closed;
  }

  private void enqueue(long packId) {
    long size;
    try {
      size = Files.size(store.packReader.path(packId));
    } catch (IOException e) {
      size = 0;
    }
    if (lag.putIfAbsent(packId, size) == null) {
      for (StorageNode node : placement(PackFormat.fileName(packId))) {
        accounting.pending(node.id(), packId, size);
      }
      queue.offerLast(packId);
    }
  }

  /**
   * Called after an index write that removed these chunks' entries from their packs (GC sweep, tier
   * migration), for the per-node accounting.
   *
   * @param chunks the chunks at their old locations
   */
  void chunksRemoved(List<IndexedChunk> chunks) {
    accounting.chunksChanged(chunks);
  }

  private void copyLoop() {
    List<Long> retry = new ArrayList<>();
    while (!closed) {
      Long id;
      try {
        id = retry.isEmpty() ? queue.take() : queue.poll(RETRY_NANOS, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (id == null) { // retry pause over
        queue.addAll(retry);
        retry.clear();
        continue;
      }
      if (id == STOP) {
        return;
      }
      try {
        copyIfReferenced(id);
        lag.remove(id);
        accounting.notPending(id);
      } catch (RuntimeException e) {
        failedCopies.incrementAndGet();
        retry.add(id);
      }
    }
  }

  /** Background copy: under the relocation read lock so GC cannot delete the pack meanwhile. */
  private void copyIfReferenced(long packId) {
    Lock r = store.relocation.readLock();
    r.lock();
    try {
      List<IndexedChunk> entries = store.index.packEntries(packId);
      if (entries.isEmpty() || !Files.exists(store.packReader.path(packId))) {
        return; // deleted by GC meanwhile: nothing to copy
      }
      // The source must be sound: never spread a damaged local copy over good replicas.
      for (IndexedChunk e : entries) {
        store.packReader.readRecord(e.location(), e.id());
      }
      ensureCopies(packId);
    } finally {
      r.unlock();
    }
  }

  /**
   * Synchronous mode, called by a commit before its index write: seals the pack and copies it to
   * its nodes, durably.
   *
   * @param packId a pack the commit references
   * @throws StorageException if sealing or any copy fails (the commit must then fail)
   */
  void replicateForCommit(long packId) {
    store.writerFor(packId).sealNow(packId);
    ensureCopies(packId);
  }

  /** Copies the local pack to each placement node that lacks a same-sized copy. */
  private void ensureCopies(long packId) {
    if (replicated.contains(packId)) {
      return;
    }
    String name = PackFormat.fileName(packId);
    synchronized (stripes[(int) (packId & (stripes.length - 1))]) {
      if (replicated.contains(packId)) {
        return;
      }
      Path local = store.packReader.path(packId);
      long size;
      try {
        size = Files.size(local);
      } catch (IOException e) {
        throw new StorageException("cannot replicate " + name + ": " + e.getMessage(), e);
      }
      StorageException failure = null;
      for (StorageNode node : placement(name)) {
        try {
          if (node.exists(name) && node.size(name) == size) {
            accounting.held(node.id(), packId, size);
            continue;
          }
          try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            node.write(name, in, size);
          }
          copiedPacks.incrementAndGet();
          copiedBytes.addAndGet(size);
          accounting.copied(node.id(), size);
          accounting.held(node.id(), packId, size);
        } catch (IOException | RuntimeException e) {
          // Go on with the other nodes, so that one node being down does not hold back the
          // copies (and the per-node accounting) of the others; the pack stays unreplicated.
          accounting.copyFailed(node.id());
          if (failure == null) {
            if (mode == ReplicationMode.SYNC) {
              failedCopies.incrementAndGet();
            }
            failure =
                new StorageException(
                    "cannot copy " + name + " to node " + node.id() + ": " + e.getMessage(), e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      replicated.add(packId);
    }
  }

  /**
   * Deletes a pack's replicas after its local file was deleted. Failures leave orphans for open and
   * scrub to remove.
   *
   * @param packId the pack
   */
  void deleteReplicas(long packId) {
    replicated.remove(packId);
    lag.remove(packId);
    if (router == null) {
      return;
    }
    accounting.dropped(packId);
    String name = PackFormat.fileName(packId);
    for (StorageNode node : nodes.values()) {
      try {
        node.delete(name);
      } catch (IOException | RuntimeException ignored) {
        // An orphan: removed by the next open or scrub.
      }
    }
  }

  /**
   * Deletes node files whose pack has no committed entry <em>and</em> no local file. The second
   * condition matters while commits run (scrub): a SYNC commit copies its pack to the nodes before
   * its index write, so its pack looks unreferenced for a moment, but it always has a local file.
   * Orphans of a failed commit keep their local file until the next open's recovery removes it, and
   * that open then removes the node copies.
   */
  int removeOrphans(Set<Long> referenced) {
    int removed = 0;
    for (StorageNode node : nodes.values()) {
      List<String> names;
      try {
        names = node.list();
      } catch (IOException | RuntimeException e) {
        continue;
      }
      for (String n : names) {
        long id = PackFormat.parseFileName(n);
        if (id >= 0
            && !store.isUnsealed(id)
            && (referenced.contains(id) || Files.exists(store.packReader.path(id)))) {
          accounting.listed(node.id(), id, node);
          continue;
        }
        if (id >= 0
            && !referenced.contains(id)
            && !store.isUnsealed(id)
            && !Files.exists(store.packReader.path(id))) {
          try {
            if (node.delete(n)) {
              removed++;
            }
          } catch (IOException | RuntimeException ignored) {
            // Try again next time.
          }
        }
      }
    }
    return removed;
  }

  // ------------------------------------------------------------------ read fallback and repair

  /**
   * Reads a record from a replica after the local copy failed, and repairs the local copy from the
   * node that had a good one. Caller holds the relocation read lock.
   *
   * @param loc where the record is
   * @param id the chunk id
   * @param rawLength its plaintext length
   * @param localError why the local read failed
   * @return the plaintext
   * @throws StorageCorruptionException the local error, if no replica has a good record
   */
  byte[] readFromReplica(
      ChunkLocation loc, byte[] id, int rawLength, StorageCorruptionException localError) {
    String name = PackFormat.fileName(loc.packId());
    for (StorageNode node : searchOrder(name)) {
      byte[] plain;
      try {
        byte[] record = node.read(name, loc.offset(), loc.length());
        if (PackFormat.checkRecord(record, id, rawLength) != null) {
          accounting.fellBack(node.id());
          continue;
        }
        plain = store.decode(record, loc, id, rawLength);
      } catch (IOException | RuntimeException e) {
        accounting.fellBack(node.id());
        continue; // missing or damaged here too: try the next node
      }
      accounting.served(node.id());
      repairLocalFrom(loc.packId(), node, localError.getMessage());
      return plain;
    }
    throw new StorageCorruptionException(
        localError.getMessage() + " (no replica has a good copy either)", localError);
  }

  private void repairLocalQuietly(long packId, String reason) {
    String name = PackFormat.fileName(packId);
    for (StorageNode node : searchOrder(name)) {
      if (repairLocalFrom(packId, node, reason)) {
        return;
      }
    }
  }

  /**
   * Replaces the local copy of a pack with a node's copy, if the node's copy has every committed
   * record intact: copy to a temporary file, fsync, check, rename over the pack, fsync the
   * directory.
   *
   * @return true if repaired
   */
  boolean repairLocalFrom(long packId, StorageNode node, String reason) {
    if (store.isUnsealed(packId)) {
      return false; // still being written here: replicas never hold it
    }
    String name = PackFormat.fileName(packId);
    synchronized (stripes[(int) (packId & (stripes.length - 1))]) {
      Path target = store.packReader.path(packId);
      Path tmp = target.resolveSibling(".repair-" + name);
      try {
        long size = node.size(name);
        try (FileChannel out =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
          long pos = 0;
          while (pos < size) {
            int n = (int) Math.min(1 << 20, size - pos);
            out.write(java.nio.ByteBuffer.wrap(node.read(name, pos, n)), pos);
            pos += n;
          }
          out.force(true);
          for (IndexedChunk e : store.index.packEntries(packId)) {
            ChunkLocation l = e.location();
            if (l.end() > size) {
              return false;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(l.length());
            while (b.hasRemaining()) {
              out.read(b, l.offset() + b.position());
            }
            if (PackFormat.checkRecord(b.array(), e.id(), l.rawLength()) != null) {
              return false;
            }
          }
        }
        install(packId, tmp, target, size);
        notifyRepaired(name, ScrubReport.LOCAL, node.id(), reason);
        return true;
      } catch (IOException | RuntimeException e) {
        return false;
      } finally {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // A stray temporary file is ignored by everything that lists packs.
        }
      }
    }
  }

  /**
   * Replaces the local copy of a pack with bytes scrub found healthy.
   *
   * @return true if installed
   */
  boolean installLocal(long packId, byte[] good, String source, String reason) {
    String name = PackFormat.fileName(packId);
    synchronized (stripes[(int) (packId & (stripes.length - 1))]) {
      Path target = store.packReader.path(packId);
      Path tmp = target.resolveSibling(".repair-" + name);
      try {
        try (FileChannel out =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
          java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(good);
          while (b.hasRemaining()) {
            out.write(b, b.position());
          }
          out.force(true);
        }
        install(packId, tmp, target, good.length);
        notifyRepaired(name, ScrubReport.LOCAL, source, reason);
        return true;
      } catch (IOException | RuntimeException e) {
        return false;
      } finally {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // A stray temporary file is ignored by everything that lists packs.
        }
      }
    }
  }

  /** Renames a checked, fsynced temporary copy over the local pack. Caller holds the stripe. */
  private void install(long packId, Path tmp, Path target, long size) throws IOException {
    long before = Files.exists(target) ? Files.size(target) : 0;
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    PackFiles.syncDirectory(target.getParent());
    store.packReader.evict(packId);
    PackState.markSealed(store.db, packId, size);
    store.adjustPacks(packId, before == 0 ? 1 : 0, size - before);
    repairs.incrementAndGet();
  }

  /**
   * Rewrites a node's copy from good bytes (scrub).
   *
   * @return true if written
   */
  boolean repairNode(StorageNode node, String name, byte[] good, String reason, String source) {
    try {
      node.write(name, Channels.newChannel(new java.io.ByteArrayInputStream(good)), good.length);
      repairs.incrementAndGet();
      accounting.repaired(node.id());
      long id = PackFormat.parseFileName(name);
      if (id >= 0) {
        accounting.held(node.id(), id, good.length);
      }
      notifyRepaired(name, node.id(), source, reason);
      return true;
    } catch (IOException | RuntimeException e) {
      failedCopies.incrementAndGet();
      accounting.copyFailed(node.id());
      return false;
    }
  }

  void notifyRepaired(String pack, String location, String source, String reason) {
    if (store.listener == StorageListener.NOOP) {
      return;
    }
    try {
      store.listener.onPackRepaired(pack, location, source, reason);
    } catch (RuntimeException ignored) {
      // Listener errors must not break the store.
    }
  }

  Map<String, StorageNode> nodes() {
    return nodes;
  }

  ReplicationStats stats() {
    long bytes = 0;
    for (long b : lag.values()) {
      bytes += b;
    }
    Map<String, io.dsblocks.storage.NodeStats> perNode = nodes.isEmpty() ? Map.of() : perNode();
    return new ReplicationStats(
        mode,
        factor,
        nodes.size(),
        lag.size(),
        bytes,
        copiedPacks.get(),
        copiedBytes.get(),
        failedCopies.get(),
        repairs.get(),
        perNode);
  }

  /**
   * The per-node snapshot, brought up to date under the store's gate (the refresh reads the index);
   * after close, the last one taken.
   */
  private Map<String, io.dsblocks.storage.NodeStats> perNode() {
    Lock l;
    try {
      l = store.enter();
    } catch (StorageException closedStore) {
      return lastPerNode;
    }
    try {
      Map<String, io.dsblocks.storage.NodeStats> s = accounting.snapshot(store.stats().tiers());
      lastPerNode = s;
      return s;
    } finally {
      l.unlock();
    }
  }

  /**
   * Recounts the per-node space figures by listing the nodes and reading the index (tests).
   *
   * @param tiers per-tier stats to attribute logical bytes with
   * @return stats by node id, counters zero
   */
  Map<String, io.dsblocks.storage.NodeStats> recountNodeStats(
      Map<io.dsblocks.storage.Tier, io.dsblocks.storage.TierStats> tiers) {
    return accounting.recount(nodes, tiers);
  }
}
