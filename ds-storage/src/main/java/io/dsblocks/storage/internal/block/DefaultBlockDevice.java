package io.dsblocks.storage.internal.block;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.block.BlockDevice;
import io.dsblocks.storage.block.BlockDeviceException;
import io.dsblocks.storage.block.BlockDeviceStats;
import io.dsblocks.storage.block.BlockDevices;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link BlockDevice} built only on the public {@link ObjectStore} API.
 *
 * <p><b>Layout.</b> {@code blockdev/<name>/manifest} ({@link Manifest}) holds size, block size and
 * counters; {@code blockdev/<name>/map/<page>} ({@link MapPage}) maps 1024 consecutive blocks each
 * to the immutable data object holding the block, {@code blockdev/data/<device id>/<seq>}. A data
 * object is written once and never overwritten, so a clone can share it just by copying map
 * entries; a new write of a block always gets a new sequence number.
 *
 * <p><b>Why a map of immutable objects rather than one mutable object per block.</b> Rewriting
 * {@code <device>/b/<index>} in place would make copy-on-write need either a copy of every block
 * object per clone (O(data) re-ingest: each block read, decrypted and hashed again, even if dedup
 * then stores nothing) or references to old object versions, which garbage collection in the core
 * is free to purge. With immutable data objects a clone is one batch holding the map (16-20 bytes
 * per allocated block) and nothing depends on version retention.
 *
 * <p><b>Write path.</b> Writes go to an in-memory dirty table (whole blocks, read-modify-write for
 * partial ones, serialised per block by striped locks). {@link #flush()} swaps the table out, puts
 * every dirty block, the changed map pages and the manifest into one {@link ObjectStore.Batch} and
 * commits it: one atomic, durable commit per flush however many blocks it holds. The same batch
 * deletes ({@link ObjectStore.Batch#delete}) the data objects the flush made unreachable, so a
 * crash can neither lose a write nor leak a replaced block. All-zero blocks become holes (map entry
 * 0, no object).
 *
 * <p><b>Reclaiming blocks shared with clones.</b> A replaced data object is <i>exclusive</i> when
 * this device wrote it after its last clone (sequence at or above "shared below"): it is deleted
 * outright. Otherwise it may be shared: clones copy map entries slot for slot and a write never
 * moves an object to another block index, so the only places that can name it are the same block
 * index in the other devices of the clone family (every device cloned, directly or not, from one
 * created device; registered as {@code blockdev/.family/<family id>/<name>} objects committed with
 * the manifests). The flush reads those devices' committed map pages at the index and deletes the
 * object in its own batch when none names it. The check and the commit run under a per-store family
 * lock, which every commit that drops or adds references to possibly shared objects takes (flushes
 * replacing shared blocks, clones, device deletes), so two devices overwriting the same shared
 * block at once cannot both conclude "the other still uses it". Devices from manifest format 1 have
 * no family (id 0) and keep every shared block, as before.
 *
 * <p><b>Locks.</b> {@code lifecycle} is shared by I/O and flush, exclusive for resize, clone and
 * close. {@code state} guards the dirty tables, loaded map pages and counters and is never held
 * across store I/O. {@code flushLock} serialises flushes (only a flush mutates map pages).
 */
public final class DefaultBlockDevice implements BlockDevice {

  /** Blocks per map page object: 1024 entries is 16-20 KiB when full, one small object. */
  static final int ENTRIES_PER_PAGE = 1024;

  private static final byte[] HOLE = new byte[0];
  private static final int STRIPES = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One lock per store serialising commits that drop or add references to data objects shared
   * within clone families (see the class comment). Weak keys: a closed store's lock goes with it.
   */
  private static final Map<ObjectStore, ReentrantLock> FAMILY_LOCKS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final ObjectStore store;
  private final String name;
  private final long deviceId;
  private final long familyId;
  private final int blockSize;
  private final int blockShift;
  private final long maxDirtyBytes;

  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock flushLock = new ReentrantLock();
  private final Object[] stripes = new Object[STRIPES];
  private final Object state = new Object();

  // Guarded by state (written only with flushLock or the exclusive lifecycle lock also held).
  private long size;
  private long nextSeq;
  private long sharedBelow;
  private long allocated;
  private boolean manifestDirty;
  private long flushes;
  private Map<Long, byte[]> dirty = new HashMap<>();
  private Map<Long, byte[]> flushing = Map.of();
  private long dirtyBytes;
  private final Map<Long, MapPage> pages = new HashMap<>();
  private volatile boolean closed;

  private DefaultBlockDevice(ObjectStore store, String name, Manifest m, long maxDirtyBytes) {
    this.store = store;
    this.name = name;
    this.deviceId = m.deviceId();
    this.familyId = m.familyId();
    this.blockSize = m.blockSize();
    this.blockShift = Integer.numberOfTrailingZeros(m.blockSize());
    this.size = m.size();
    this.nextSeq = m.nextSeq();
    this.sharedBelow = m.sharedBelow();
    this.allocated = m.allocatedBlocks();
    this.maxDirtyBytes = maxDirtyBytes;
    if (m.entriesPerPage() != ENTRIES_PER_PAGE) {
      throw new BlockDeviceException(
          name, "map pages of " + m.entriesPerPage() + " entries are not supported");
    }
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  // ------------------------------------------------------------------ factories

  /** Creates a device and commits its manifest. */
  public static BlockDevice create(
      ObjectStore store, String name, long size, int blockSize, long maxDirtyBytes) {
    Objects.requireNonNull(store, "store");
    DeviceNames.validate(name, "name");
    checkSize(size, "size");
    if (blockSize < BlockDevices.MIN_BLOCK_SIZE
        || blockSize > BlockDevices.MAX_BLOCK_SIZE
        || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException(
          "blockSize must be a power of two in ["
              + BlockDevices.MIN_BLOCK_SIZE
              + ", "
              + BlockDevices.MAX_BLOCK_SIZE
              + "] (4 KiB to 1 MiB) but was "
              + blockSize);
    }
    if (exists(store, name)) {
      throw new BlockDeviceException(name, "already exists");
    }
    long id = newDeviceId();
    Manifest m = new Manifest(id, size, blockSize, ENTRIES_PER_PAGE, 1, 1, 0, id);
    try (ObjectStore.Batch batch = store.batch()) {
      batch.put(DeviceNames.manifestKey(name), new ByteArrayInputStream(m.encode()));
      batch.put(DeviceNames.familyKey(id, name), new ByteArrayInputStream(new byte[0]));
      batch.commit();
    }
    return new DefaultBlockDevice(store, name, m, maxDirtyBytes);
  }

  /** Opens a device. */
  public static BlockDevice open(ObjectStore store, String name, long maxDirtyBytes) {
    Objects.requireNonNull(store, "store");
    DeviceNames.validate(name, "name");
    Manifest m =
        readManifest(store, name)
            .orElseThrow(() -> new BlockDeviceException(name, "does not exist"));
    return new DefaultBlockDevice(store, name, m, maxDirtyBytes);
  }

  /** Tells whether a device exists. */
  public static boolean exists(ObjectStore store, String name) {
    Objects.requireNonNull(store, "store");
    DeviceNames.validate(name, "name");
    return store.stat(DeviceNames.manifestKey(name)).isPresent();
  }

  /** Deletes a device (see {@link BlockDevices#delete}). */
  public static boolean delete(ObjectStore store, String name) {
    Objects.requireNonNull(store, "store");
    DeviceNames.validate(name, "name");
    Optional<Manifest> found = readManifest(store, name);
    if (found.isEmpty()) {
      return false;
    }
    Manifest m = found.get();
    // One batch: the device, its map, its family marker and every block no other device uses
    // disappear together, so a crash leaves the device whole or entirely gone, nothing leaked.
    ReentrantLock familyLock = familyLock(store);
    familyLock.lock();
    try (ObjectStore.Batch batch = store.batch()) {
      List<SharedRef> shared = new ArrayList<>();
      for (String key : listKeys(store, DeviceNames.mapPrefix(name))) {
        long p = DeviceNames.pageOfMapKey(name, key);
        MapPage page = readPage(store, name, p);
        for (int i = 0; i < page.seqs.length; i++) {
          long seq = page.seqs[i];
          if (seq == 0) {
            continue;
          }
          if (page.deviceIds[i] == m.deviceId() && seq >= m.sharedBelow()) {
            batch.delete(DeviceNames.dataKey(m.deviceId(), seq));
          } else {
            shared.add(new SharedRef(p * ENTRIES_PER_PAGE + i, page.deviceIds[i], seq));
          }
        }
        batch.delete(key);
      }
      for (String key : unreferencedShared(store, name, m.familyId(), shared)) {
        batch.delete(key);
      }
      batch.delete(DeviceNames.manifestKey(name));
      if (m.familyId() != 0) {
        batch.delete(DeviceNames.familyKey(m.familyId(), name));
      }
      batch.commit();
    } finally {
      familyLock.unlock();
    }
    return true;
  }

  private static ReentrantLock familyLock(ObjectStore store) {
    return FAMILY_LOCKS.computeIfAbsent(store, s -> new ReentrantLock());
  }

  /** A replaced map entry whose data object other devices of the family may still name. */
  private record SharedRef(long index, long deviceId, long seq) {}

  /**
   * Returns the keys of the candidate objects that no other device of the family names at their
   * block index in its committed map. The caller holds the family lock until its commit. A device
   * without a family (format 1) or not registered in one keeps everything.
   */
  private static List<String> unreferencedShared(
      ObjectStore store, String self, long familyId, List<SharedRef> candidates) {
    if (familyId == 0 || candidates.isEmpty()) {
      return List.of();
    }
    String prefix = DeviceNames.familyPrefix(familyId);
    List<String> others = new ArrayList<>();
    boolean registered = false;
    for (String key : listKeys(store, prefix)) {
      String member = key.substring(prefix.length());
      if (member.equals(self)) {
        registered = true;
      } else {
        others.add(member);
      }
    }
    if (!registered) {
      return List.of();
    }
    Map<String, Map<Long, MapPage>> pagesRead = new HashMap<>();
    List<String> unreferenced = new ArrayList<>();
    for (SharedRef c : candidates) {
      long p = c.index() / ENTRIES_PER_PAGE;
      int slot = (int) (c.index() % ENTRIES_PER_PAGE);
      boolean used = false;
      for (String other : others) {
        MapPage page =
            pagesRead
                .computeIfAbsent(other, o -> new HashMap<>())
                .computeIfAbsent(p, q -> readPage(store, other, q));
        if (page.seqs[slot] == c.seq() && page.deviceIds[slot] == c.deviceId()) {
          used = true;
          break;
        }
      }
      if (!used) {
        unreferenced.add(DeviceNames.dataKey(c.deviceId(), c.seq()));
      }
    }
    return unreferenced;
  }

  /**
   * Returns the keys of every object the device's committed state references: its manifest, its
   * family marker, its map pages and the data objects they name. Used by tests (and a future sweep)
   * to prove that nothing under {@code blockdev/} is leaked.
   *
   * @param store the store
   * @param name the device
   * @return the referenced keys, empty if the device does not exist
   */
  public static java.util.Set<String> referencedKeys(ObjectStore store, String name) {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    Optional<Manifest> found = readManifest(store, name);
    if (found.isEmpty()) {
      return keys;
    }
    keys.add(DeviceNames.manifestKey(name));
    if (found.get().familyId() != 0) {
      keys.add(DeviceNames.familyKey(found.get().familyId(), name));
    }
    for (String key : listKeys(store, DeviceNames.mapPrefix(name))) {
      keys.add(key);
      MapPage page = readPage(store, name, DeviceNames.pageOfMapKey(name, key));
      for (int i = 0; i < page.seqs.length; i++) {
        if (page.seqs[i] != 0) {
          keys.add(DeviceNames.dataKey(page.deviceIds[i], page.seqs[i]));
        }
      }
    }
    return keys;
  }

  private static long newDeviceId() {
    long id;
    do {
      id = RANDOM.nextLong();
    } while (id == 0);
    return id;
  }

  private static Optional<Manifest> readManifest(ObjectStore store, String name) {
    try (InputStream in = store.get(DeviceNames.manifestKey(name))) {
      return Optional.of(Manifest.decode(name, in.readAllBytes()));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MapPage readPage(ObjectStore store, String name, long page) {
    try (InputStream in = store.get(DeviceNames.mapKey(name, page))) {
      return MapPage.decode(name, page, ENTRIES_PER_PAGE, in.readAllBytes());
    } catch (ObjectNotFoundException e) {
      return new MapPage(ENTRIES_PER_PAGE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> listKeys(ObjectStore store, String prefix) {
    List<String> keys = new ArrayList<>();
    String after = "";
    while (true) {
      List<ObjectInfo> page = store.list(prefix, after, 1000);
      for (ObjectInfo info : page) {
        keys.add(info.key());
      }
      if (page.size() < 1000) {
        return keys;
      }
      after = page.get(page.size() - 1).key();
    }
  }

  private static void checkSize(long size, String argument) {
    if (size < 1 || size > BlockDevices.MAX_SIZE) {
      throw new IllegalArgumentException(
          argument + " must be in [1, " + BlockDevices.MAX_SIZE + "] (1 PiB) but was " + size);
    }
  }

  // ------------------------------------------------------------------ accessors

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    synchronized (state) {
      return size;
    }
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  // ------------------------------------------------------------------ reads

  @Override
  public void read(long offset, byte[] dst, int dstOffset, int length) {
    Objects.requireNonNull(dst, "dst");
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      checkRange(offset, length);
      long pos = offset;
      int done = 0;
      while (done < length) {
        long idx = pos >>> blockShift;
        int inBlock = (int) (pos & (blockSize - 1));
        int n = Math.min(length - done, blockSize - inBlock);
        readBlockRange(idx, inBlock, dst, dstOffset + done, n);
        done += n;
        pos += n;
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    Objects.requireNonNull(dst, "dst");
    int length = dst.remaining();
    if (dst.hasArray()) {
      read(offset, dst.array(), dst.arrayOffset() + dst.position(), length);
      dst.position(dst.position() + length);
      return;
    }
    byte[] tmp = new byte[Math.min(length, blockSize)];
    long pos = offset;
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      checkRange(offset, length);
      while (dst.hasRemaining()) {
        int n = Math.min(dst.remaining(), tmp.length);
        read(pos, tmp, 0, n);
        dst.put(tmp, 0, n);
        pos += n;
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Where a block's current content is: HOLE, an immutable buffered array, or a stored object. */
  private Object locate(long idx) {
    synchronized (state) {
      byte[] d = buffered(idx);
      if (d != null) {
        return d;
      }
    }
    MapPage page = page(idx / ENTRIES_PER_PAGE);
    int slot = (int) (idx % ENTRIES_PER_PAGE);
    synchronized (state) {
      byte[] d = buffered(idx);
      if (d != null) {
        return d;
      }
      long seq = page.seqs[slot];
      return seq == 0 ? HOLE : new StoredBlock(page.deviceIds[slot], seq);
    }
  }

  private byte[] buffered(long idx) {
    byte[] d = dirty.get(idx);
    return d != null ? d : flushing.get(idx);
  }

  private record StoredBlock(long deviceId, long seq) {
    String key() {
      return DeviceNames.dataKey(deviceId, seq);
    }
  }

  private void readBlockRange(long idx, int inBlock, byte[] dst, int dstOffset, int n) {
    while (true) {
      Object where = locate(idx);
      if (where == HOLE) {
        java.util.Arrays.fill(dst, dstOffset, dstOffset + n, (byte) 0);
        return;
      }
      if (where instanceof byte[] data) {
        System.arraycopy(data, inBlock, dst, dstOffset, n);
        return;
      }
      StoredBlock block = (StoredBlock) where;
      try (InputStream in =
          n == blockSize ? store.get(block.key()) : store.getRange(block.key(), inBlock, n)) {
        int got = in.readNBytes(dst, dstOffset, n);
        if (got != n) {
          throw new BlockDeviceException(
              name, "block " + idx + " object " + block.key() + " is shorter than the block size");
        }
        return;
      } catch (ObjectNotFoundException e) {
        // A flush replaced the block and deleted its old object between our lookup and the read:
        // look again. If the map still names the same object, it really is missing.
        if (block.equals(locate(idx))) {
          throw new BlockDeviceException(
              name, "block " + idx + " refers to missing object " + block.key());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private MapPage page(long p) {
    synchronized (state) {
      MapPage page = pages.get(p);
      if (page != null) {
        return page;
      }
    }
    // Loaded outside the lock. A page's stored form only changes in a flush, which loads the page
    // through here first; once a page is in memory it is never replaced, so a slow loader that lost
    // the race (holding an older stored form) simply drops its copy.
    MapPage loaded = readPage(store, name, p);
    synchronized (state) {
      MapPage existing = pages.putIfAbsent(p, loaded);
      return existing != null ? existing : loaded;
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void write(long offset, byte[] src, int srcOffset, int length) {
    Objects.requireNonNull(src, "src");
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      checkRange(offset, length);
      writeUnchecked(offset, src, srcOffset, length);
    } finally {
      lifecycle.readLock().unlock();
    }
    boolean over;
    synchronized (state) {
      over = dirtyBytes > maxDirtyBytes;
    }
    if (over) {
      flush();
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    Objects.requireNonNull(src, "src");
    int length = src.remaining();
    if (src.hasArray()) {
      write(offset, src.array(), src.arrayOffset() + src.position(), length);
      src.position(src.position() + length);
      return;
    }
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      checkRange(offset, length);
    } finally {
      lifecycle.readLock().unlock();
    }
    byte[] tmp = new byte[Math.min(length, blockSize)];
    long pos = offset;
    while (src.hasRemaining()) {
      int n = Math.min(src.remaining(), tmp.length);
      src.get(tmp, 0, n);
      write(pos, tmp, 0, n);
      pos += n;
    }
  }

  private void writeUnchecked(long offset, byte[] src, int srcOffset, int length) {
    long pos = offset;
    int done = 0;
    while (done < length) {
      long idx = pos >>> blockShift;
      int inBlock = (int) (pos & (blockSize - 1));
      int n = Math.min(length - done, blockSize - inBlock);
      // Whole-block writes take the stripe too, so that they are ordered against a concurrent
      // read-modify-write of the same block instead of being overwritten by its stale copy.
      synchronized (stripes[(int) (idx & (STRIPES - 1))]) {
        byte[] block = new byte[blockSize];
        if (n < blockSize) {
          readBlockRange(idx, 0, block, 0, blockSize);
        }
        System.arraycopy(src, srcOffset + done, block, inBlock, n);
        publish(idx, isZero(block) ? HOLE : block);
      }
      done += n;
      pos += n;
    }
  }

  private void publish(long idx, byte[] block) {
    synchronized (state) {
      byte[] prev = dirty.put(idx, block);
      dirtyBytes += block.length - (prev == null ? 0 : prev.length);
    }
  }

  private static boolean isZero(byte[] b) {
    // Arrays.mismatch is vectorised; comparing against a zero range avoids a hand loop.
    return java.util.Arrays.mismatch(b, 0, b.length, ZEROS, 0, b.length) < 0;
  }

  private static final byte[] ZEROS = new byte[BlockDevices.MAX_BLOCK_SIZE];

  // ------------------------------------------------------------------ flush

  @Override
  public void flush() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      flushLocked();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void flushLocked() {
    flushLock.lock();
    try {
      Map<Long, byte[]> work;
      boolean manifestChange;
      long sizeNow;
      synchronized (state) {
        if (dirty.isEmpty() && !manifestDirty) {
          return;
        }
        work = dirty;
        flushing = work;
        dirty = new HashMap<>();
        dirtyBytes = 0;
        manifestChange = manifestDirty;
        sizeNow = size;
      }
      TreeMap<Long, byte[]> sorted = new TreeMap<>(work);
      Map<Long, MapPage> changed = new TreeMap<>();
      List<String> garbage = new ArrayList<>();
      List<SharedRef> shared = new ArrayList<>();
      long seq = nextSeq;
      long newAllocated = allocated;
      try (ObjectStore.Batch batch = store.batch()) {
        for (Map.Entry<Long, byte[]> e : sorted.entrySet()) {
          long idx = e.getKey();
          long p = idx / ENTRIES_PER_PAGE;
          int slot = (int) (idx % ENTRIES_PER_PAGE);
          MapPage copy = changed.get(p);
          if (copy == null) {
            // Only flushes mutate pages and we hold flushLock, so reading it unlocked is safe.
            MapPage live = page(p);
            if (e.getValue() == HOLE && live.seqs[slot] == 0) {
              continue; // zeros written over a hole: nothing changes, no page to rewrite
            }
            copy = live.copy();
            changed.put(p, copy);
          }
          long oldDev = copy.deviceIds[slot];
          long oldSeq = copy.seqs[slot];
          if (oldSeq != 0) {
            if (oldDev == deviceId && oldSeq >= sharedBelow) {
              garbage.add(DeviceNames.dataKey(oldDev, oldSeq));
            } else {
              shared.add(new SharedRef(idx, oldDev, oldSeq));
            }
          }
          if (e.getValue() == HOLE) {
            newAllocated += copy.set(slot, 0, 0);
          } else {
            long s = seq++;
            batch.put(DeviceNames.dataKey(deviceId, s), new ByteArrayInputStream(e.getValue()));
            newAllocated += copy.set(slot, deviceId, s);
          }
        }
        for (Map.Entry<Long, MapPage> e : changed.entrySet()) {
          batch.put(
              DeviceNames.mapKey(name, e.getKey()),
              new ByteArrayInputStream(e.getValue().encode()));
        }
        Manifest m =
            new Manifest(
                deviceId,
                sizeNow,
                blockSize,
                ENTRIES_PER_PAGE,
                seq,
                sharedBelow,
                newAllocated,
                familyId);
        batch.put(DeviceNames.manifestKey(name), new ByteArrayInputStream(m.encode()));
        // Replaced blocks go in the same commit: nothing refers to them once it lands.
        for (String key : garbage) {
          batch.delete(key);
        }
        if (shared.isEmpty() || familyId == 0) {
          batch.commit();
        } else {
          ReentrantLock familyLock = familyLock(store);
          familyLock.lock();
          try {
            for (String key : unreferencedShared(store, name, familyId, shared)) {
              batch.delete(key);
            }
            batch.commit();
          } finally {
            familyLock.unlock();
          }
        }
      } catch (RuntimeException e) {
        synchronized (state) {
          // Give the blocks back; anything written since the swap is newer and wins.
          for (Map.Entry<Long, byte[]> w : work.entrySet()) {
            if (dirty.putIfAbsent(w.getKey(), w.getValue()) == null) {
              dirtyBytes += w.getValue().length;
            }
          }
          flushing = Map.of();
          manifestDirty |= manifestChange;
        }
        throw e;
      }
      synchronized (state) {
        for (Map.Entry<Long, MapPage> e : changed.entrySet()) {
          MapPage live = pages.get(e.getKey());
          MapPage next = e.getValue();
          System.arraycopy(next.deviceIds, 0, live.deviceIds, 0, next.deviceIds.length);
          System.arraycopy(next.seqs, 0, live.seqs, 0, next.seqs.length);
          live.count = next.count;
        }
        nextSeq = seq;
        allocated = newAllocated;
        flushing = Map.of();
        if (manifestChange) {
          manifestDirty = false;
        }
        flushes++;
      }
    } finally {
      flushLock.unlock();
    }
  }

  // ------------------------------------------------------------------ clone / resize

  @Override
  public BlockDevice clone(String newName) {
    DeviceNames.validate(newName, "newName");
    lifecycle.writeLock().lock();
    try {
      ensureOpen();
      flushLocked();
      if (exists(store, newName)) {
        throw new BlockDeviceException(newName, "already exists");
      }
      flushLock.lock();
      try {
        loadAllPages();
        long cloneId = newDeviceId();
        long sizeNow;
        long seqNow;
        long allocatedNow;
        ReentrantLock familyLock = familyLock(store);
        familyLock.lock();
        try (ObjectStore.Batch batch = store.batch()) {
          synchronized (state) {
            sizeNow = size;
            seqNow = nextSeq;
            allocatedNow = allocated;
            for (Map.Entry<Long, MapPage> e : pages.entrySet()) {
              if (e.getValue().count > 0) {
                batch.put(
                    DeviceNames.mapKey(newName, e.getKey()),
                    new ByteArrayInputStream(e.getValue().encode()));
              }
            }
          }
          Manifest cloneManifest =
              new Manifest(
                  cloneId, sizeNow, blockSize, ENTRIES_PER_PAGE, 1, 1, allocatedNow, familyId);
          batch.put(
              DeviceNames.manifestKey(newName), new ByteArrayInputStream(cloneManifest.encode()));
          if (familyId != 0) {
            batch.put(
                DeviceNames.familyKey(familyId, newName), new ByteArrayInputStream(new byte[0]));
          }
          // Everything this device wrote so far may now be shared: never delete it on overwrite.
          Manifest self =
              new Manifest(
                  deviceId,
                  sizeNow,
                  blockSize,
                  ENTRIES_PER_PAGE,
                  seqNow,
                  seqNow,
                  allocatedNow,
                  familyId);
          batch.put(DeviceNames.manifestKey(name), new ByteArrayInputStream(self.encode()));
          batch.commit();
        } finally {
          familyLock.unlock();
        }
        synchronized (state) {
          sharedBelow = seqNow;
        }
      } finally {
        flushLock.unlock();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
    return open(store, newName, maxDirtyBytes);
  }

  private void loadAllPages() {
    for (String key : listKeys(store, DeviceNames.mapPrefix(name))) {
      page(DeviceNames.pageOfMapKey(name, key));
    }
  }

  @Override
  public void resize(long newSize) {
    checkSize(newSize, "newSize");
    lifecycle.writeLock().lock();
    try {
      ensureOpen();
      long oldSize;
      synchronized (state) {
        oldSize = size;
      }
      if (newSize < oldSize) {
        long firstDropped = (newSize + blockSize - 1) >>> blockShift;
        long keptEnd = Math.min(oldSize, firstDropped << blockShift);
        if (keptEnd > newSize) {
          writeUnchecked(
              newSize, new byte[(int) (keptEnd - newSize)], 0, (int) (keptEnd - newSize));
        }
        loadAllPages();
        synchronized (state) {
          List<Long> drop = new ArrayList<>();
          for (Map.Entry<Long, MapPage> e : pages.entrySet()) {
            MapPage p = e.getValue();
            for (int i = 0; i < ENTRIES_PER_PAGE; i++) {
              long idx = e.getKey() * ENTRIES_PER_PAGE + i;
              if (idx >= firstDropped && p.seqs[i] != 0) {
                drop.add(idx);
              }
            }
          }
          for (Long idx : dirty.keySet()) {
            if (idx >= firstDropped) {
              drop.add(idx);
            }
          }
          for (Long idx : drop) {
            publish(idx, HOLE);
          }
        }
      }
      synchronized (state) {
        size = newSize;
        manifestDirty = true;
      }
      flushLocked();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  // ------------------------------------------------------------------ stats / close

  @Override
  public BlockDeviceStats stats() {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      Map<Long, byte[]> pending = new HashMap<>();
      synchronized (state) {
        pending.putAll(flushing);
        pending.putAll(dirty);
      }
      long alloc;
      long flushCount;
      long sizeNow;
      long delta = 0;
      for (Map.Entry<Long, byte[]> e : pending.entrySet()) {
        page(e.getKey() / ENTRIES_PER_PAGE);
      }
      synchronized (state) {
        for (Map.Entry<Long, byte[]> e : pending.entrySet()) {
          long idx = e.getKey();
          boolean wasAllocated =
              pages.get(idx / ENTRIES_PER_PAGE).seqs[(int) (idx % ENTRIES_PER_PAGE)] != 0;
          boolean isAllocated = e.getValue() != HOLE;
          delta += (isAllocated ? 1 : 0) - (wasAllocated ? 1 : 0);
        }
        alloc = allocated + delta;
        flushCount = flushes;
        sizeNow = size;
      }
      return new BlockDeviceStats(name, sizeNow, blockSize, alloc, pending.size(), flushCount);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      flushLocked();
      closed = true;
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("block device '" + name + "' is closed");
    }
  }

  private void checkRange(long offset, long length) {
    long sz;
    synchronized (state) {
      sz = size;
    }
    if (offset < 0 || offset > sz) {
      throw new IllegalArgumentException(
          "offset must be in [0, size] = [0, " + sz + "] but was " + offset);
    }
    if (length < 0 || length > sz - offset) {
      throw new IllegalArgumentException(
          "length must be in [0, size - offset] = [0, "
              + (sz - offset)
              + "] but was "
              + length
              + " (offset "
              + offset
              + ")");
    }
  }

  @Override
  public String toString() {
    return "BlockDevice[" + name + ", size=" + size() + ", blockSize=" + blockSize + "]";
  }
}
