package io.dsblocks.storage.internal.fs;

import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.fs.FileInfo;
import io.dsblocks.storage.fs.FileStore;
import io.dsblocks.storage.fs.FileStoreException;
import io.dsblocks.storage.fs.FileStoreException.Reason;
import io.dsblocks.storage.fs.FileType;
import io.dsblocks.storage.internal.fs.DirNode.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link FileStore} built only on the public {@link io.dsblocks.storage.ObjectStore} API.
 *
 * <p><b>Layout</b> (all under {@code filestore/<name>/}):
 *
 * <ul>
 *   <li>{@code super}: format version, the root directory's inode id and creation time;
 *   <li>{@code d/<inode>}: a directory, i.e. its whole entry table ({@link DirNode}): name to type,
 *       inode id, size and mtime;
 *   <li>{@code f/<inode>}: a file's content. Inode ids are random 64-bit numbers, so a file's
 *       content object is never renamed or rewritten: a new write makes a new inode.
 * </ul>
 *
 * <p><b>Why it is atomic.</b> Every change is one {@link ObjectStore.Batch}: a write puts the new
 * content object and the parent's new entry table together; a rename puts the one or two changed
 * entry tables (source parent, target parent). A batch commits all or nothing, so after a crash a
 * rename has happened or not, and a written file is fully there or not at all. Objects that the
 * commit makes unreachable (replaced content, deleted subtrees) are deleted in the same batch
 * ({@link ObjectStore.Batch#delete}), so no crash window leaks them.
 *
 * <p><b>Why readers never see both or neither.</b> The committed directory tables are cached in
 * memory and a commit plus the swap of the cached tables happen under the write lock; path lookups
 * run under the read lock. A lookup therefore walks one consistent tree, even though a rename
 * changes two objects. (Reading the objects directly could pair an old source table with a new
 * target table.) This is also why one file store must be open in one {@code FileStore} at a time.
 *
 * <p><b>Costs.</b> A write is one batch commit (about two fsyncs) plus the content's ingest, which
 * runs outside the lock; metadata operations are one commit each, serialised. A lookup is a walk
 * over cached tables (each directory is read from the store once). A directory's table is rewritten
 * whole when one of its entries changes (about 40 bytes plus the name per entry), so very large
 * directories make every change in them cost in proportion.
 */
public final class DefaultFileStore implements FileStore {
  private static final int SUPER_MAGIC = 0x44534653; // "DSFS"
  private static final int SUPER_VERSION = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ObjectStore store;
  private final String name;
  private final String prefix;
  private final InstantSource clock;
  private final long rootInode;
  private final Instant rootCreated;
  private final ReentrantReadWriteLock meta = new ReentrantReadWriteLock();
  private final Map<Long, DirNode> dirs = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private DefaultFileStore(
      ObjectStore store, String name, InstantSource clock, long rootInode, Instant rootCreated) {
    this.store = store;
    this.name = name;
    this.prefix = "filestore/" + name + "/";
    this.clock = clock;
    this.rootInode = rootInode;
    this.rootCreated = rootCreated;
  }

  /** Creates or opens a file store. */
  public static FileStore open(
      ObjectStore store, String name, InstantSource clock, boolean create) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(clock, "clock");
    validateName(name);
    String superKey = "filestore/" + name + "/super";
    Optional<byte[]> existing = readObject(store, superKey);
    if (create) {
      if (existing.isPresent()) {
        throw new FileStoreException(Reason.ALREADY_EXISTS, "/", "file store '" + name + "'");
      }
      long root = newInode();
      Instant now = clock.instant();
      DefaultFileStore fs = new DefaultFileStore(store, name, clock, root, now);
      try (ObjectStore.Batch batch = store.batch()) {
        batch.put(fs.dirKey(root), new ByteArrayInputStream(DirNode.EMPTY.encode()));
        batch.put(superKey, new ByteArrayInputStream(encodeSuper(root, now)));
        batch.commit();
      }
      return fs;
    }
    byte[] sb =
        existing.orElseThrow(
            () -> new FileStoreException(Reason.NOT_FOUND, "/", "file store '" + name + "'"));
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(sb))) {
      if (in.readInt() != SUPER_MAGIC || in.readUnsignedShort() != SUPER_VERSION) {
        throw new StorageCorruptionException("'" + superKey + "' is not a file store superblock");
      }
      long root = in.readLong();
      Instant created = Instant.ofEpochSecond(in.readLong(), in.readInt());
      return new DefaultFileStore(store, name, clock, root, created);
    } catch (IOException e) {
      throw new StorageCorruptionException("'" + superKey + "' is truncated", e);
    }
  }

  private static byte[] encodeSuper(long root, Instant created) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(SUPER_MAGIC);
      out.writeShort(SUPER_VERSION);
      out.writeLong(root);
      out.writeLong(created.getEpochSecond());
      out.writeInt(created.getNano());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void validateName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()
        || name.length() > 128
        || name.charAt(0) == '.'
        || !name.chars().allMatch(DefaultFileStore::nameChar)) {
      throw new IllegalArgumentException(
          "name must be 1 to 128 characters of [A-Za-z0-9._-], not starting with '.', but was '"
              + name
              + "'");
    }
  }

  private static boolean nameChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static long newInode() {
    long id;
    do {
      id = RANDOM.nextLong();
    } while (id == 0);
    return id;
  }

  private static Optional<byte[]> readObject(ObjectStore store, String key) {
    try (InputStream in = store.get(key)) {
      return Optional.of(in.readAllBytes());
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String dirKey(long inode) {
    return prefix + "d/" + String.format("%016x", inode);
  }

  private String fileKey(long inode) {
    return prefix + "f/" + String.format("%016x", inode);
  }

  // ------------------------------------------------------------------ lookups

  private DirNode dir(long inode) {
    return dirs.computeIfAbsent(
        inode,
        i -> {
          String key = dirKey(i);
          return DirNode.decode(
              key,
              readObject(store, key)
                  .orElseThrow(
                      () ->
                          new StorageCorruptionException(
                              "directory object '" + key + "' is missing")));
        });
  }

  private Entry rootEntry() {
    return new Entry(FileType.DIRECTORY, rootInode, 0, rootCreated);
  }

  /** Walks the first {@code n} segments; null if missing; throws if an ancestor is a file. */
  private Entry resolve(String[] segs, int n) {
    Entry cur = rootEntry();
    for (int i = 0; i < n; i++) {
      if (cur.type() != FileType.DIRECTORY) {
        throw new FileStoreException(Reason.NOT_A_DIRECTORY, FsPaths.join(segs, i), "");
      }
      cur = dir(cur.inode()).get(segs[i]);
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  private Entry requireDirectory(String[] segs, int n) {
    Entry e = resolve(segs, n);
    if (e == null) {
      throw new FileStoreException(Reason.NOT_FOUND, FsPaths.join(segs, n), "");
    }
    if (e.type() != FileType.DIRECTORY) {
      throw new FileStoreException(Reason.NOT_A_DIRECTORY, FsPaths.join(segs, n), "");
    }
    return e;
  }

  private Entry requireFile(String[] segs, String path) {
    Entry e = resolve(segs, segs.length);
    if (e == null) {
      throw new FileStoreException(Reason.NOT_FOUND, path, "");
    }
    if (e.type() != FileType.FILE) {
      throw new FileStoreException(Reason.IS_A_DIRECTORY, path, "");
    }
    return e;
  }

  private static FileInfo info(String path, String leaf, Entry e) {
    return new FileInfo(path, leaf, e.type(), e.size(), e.modified());
  }

  // ------------------------------------------------------------------ reads

  @Override
  public String name() {
    return name;
  }

  @Override
  public InputStream read(String path) {
    String[] segs = FsPaths.parse(path, "path");
    meta.readLock().lock();
    try {
      ensureOpen();
      // Opened under the lock: the stream is bound to this content object's version, so a later
      // replace or delete (which happens under the write lock) cannot pull it away.
      return store.get(fileKey(requireFile(segs, path).inode()));
    } finally {
      meta.readLock().unlock();
    }
  }

  @Override
  public InputStream read(String path, long offset, long length) {
    String[] segs = FsPaths.parse(path, "path");
    meta.readLock().lock();
    try {
      ensureOpen();
      Entry e = requireFile(segs, path);
      if (offset < 0 || offset > e.size()) {
        throw new IllegalArgumentException(
            "offset must be in [0, size] = [0, " + e.size() + "] but was " + offset);
      }
      if (length < 0) {
        throw new IllegalArgumentException("length must be >= 0 but was " + length);
      }
      return store.getRange(fileKey(e.inode()), offset, Math.min(length, e.size() - offset));
    } finally {
      meta.readLock().unlock();
    }
  }

  @Override
  public List<FileInfo> list(String directory) {
    String[] segs = FsPaths.parse(directory, "directory");
    meta.readLock().lock();
    try {
      ensureOpen();
      Entry d = requireDirectory(segs, segs.length);
      List<FileInfo> out = new ArrayList<>();
      for (var e : dir(d.inode()).entries().entrySet()) {
        out.add(info(FsPaths.child(directory, e.getKey()), e.getKey(), e.getValue()));
      }
      return out;
    } finally {
      meta.readLock().unlock();
    }
  }

  @Override
  public Optional<FileInfo> stat(String path) {
    String[] segs = FsPaths.parse(path, "path");
    meta.readLock().lock();
    try {
      ensureOpen();
      Entry e;
      try {
        e = resolve(segs, segs.length);
      } catch (FileStoreException notADirectory) {
        return Optional.empty();
      }
      return e == null
          ? Optional.empty()
          : Optional.of(info(path, segs.length == 0 ? "" : segs[segs.length - 1], e));
    } finally {
      meta.readLock().unlock();
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void createDirectory(String path) {
    String[] segs = FsPaths.parse(path, "path");
    if (segs.length == 0) {
      throw new FileStoreException(Reason.ALREADY_EXISTS, path, "the root");
    }
    meta.writeLock().lock();
    try {
      ensureOpen();
      Entry parent = requireDirectory(segs, segs.length - 1);
      DirNode pd = dir(parent.inode());
      String leaf = segs[segs.length - 1];
      if (pd.get(leaf) != null) {
        throw new FileStoreException(Reason.ALREADY_EXISTS, path, "");
      }
      long inode = newInode();
      DirNode npd = pd.with(leaf, new Entry(FileType.DIRECTORY, inode, 0, clock.instant()));
      Map<Long, DirNode> changes = new HashMap<>();
      changes.put(inode, DirNode.EMPTY);
      changes.put(parent.inode(), npd);
      commit(changes, null, List.of());
    } finally {
      meta.writeLock().unlock();
    }
  }

  @Override
  public void createDirectories(String path) {
    String[] segs = FsPaths.parse(path, "path");
    meta.writeLock().lock();
    try {
      ensureOpen();
      Entry cur = rootEntry();
      int i = 0;
      for (; i < segs.length; i++) {
        Entry next = dir(cur.inode()).get(segs[i]);
        if (next == null) {
          break;
        }
        if (next.type() != FileType.DIRECTORY) {
          throw new FileStoreException(Reason.NOT_A_DIRECTORY, FsPaths.join(segs, i + 1), "");
        }
        cur = next;
      }
      if (i == segs.length) {
        return;
      }
      // Build the missing chain bottom-up so that every new table already names its child.
      Instant now = clock.instant();
      Map<Long, DirNode> changes = new HashMap<>();
      long child = 0;
      String childName = null;
      for (int k = segs.length - 1; k >= i; k--) {
        long inode = newInode();
        DirNode node =
            child == 0
                ? DirNode.EMPTY
                : DirNode.EMPTY.with(childName, new Entry(FileType.DIRECTORY, child, 0, now));
        changes.put(inode, node);
        child = inode;
        childName = segs[k];
      }
      changes.put(
          cur.inode(),
          dir(cur.inode()).with(childName, new Entry(FileType.DIRECTORY, child, 0, now)));
      commit(changes, null, List.of());
    } finally {
      meta.writeLock().unlock();
    }
  }

  @Override
  public FileInfo write(String path, InputStream data) {
    Objects.requireNonNull(data, "data");
    String[] segs = checkWritable(path);
    long inode = newInode();
    try (ObjectStore.Batch batch = store.batch()) {
      CountingInputStream counted = new CountingInputStream(data);
      // The content is ingested before taking the lock: the slow part runs in parallel with other
      // operations; only the entry update and the commit are serialised.
      batch.put(fileKey(inode), counted);
      return commitFile(segs, path, batch, inode, counted.count);
    }
  }

  @Override
  public OutputStream openOutputStream(String path) {
    String[] segs = checkWritable(path);
    long inode = newInode();
    ObjectStore.Batch batch = store.batch();
    long[] count = new long[1];
    return new UploadStream(
        "dsblocks-filestore-upload",
        in -> {
          CountingInputStream counted = new CountingInputStream(in);
          batch.put(fileKey(inode), counted);
          count[0] = counted.count;
        },
        () -> {
          try (batch) {
            commitFile(segs, path, batch, inode, count[0]);
          }
        });
  }

  private String[] checkWritable(String path) {
    String[] segs = FsPaths.parse(path, "path");
    if (segs.length == 0) {
      throw new FileStoreException(Reason.IS_A_DIRECTORY, path, "the root");
    }
    meta.readLock().lock();
    try {
      ensureOpen();
      Entry parent = requireDirectory(segs, segs.length - 1);
      Entry existing = dir(parent.inode()).get(segs[segs.length - 1]);
      if (existing != null && existing.type() == FileType.DIRECTORY) {
        throw new FileStoreException(Reason.IS_A_DIRECTORY, path, "");
      }
    } finally {
      meta.readLock().unlock();
    }
    return segs;
  }

  private FileInfo commitFile(
      String[] segs, String path, ObjectStore.Batch batch, long inode, long size) {
    Entry old;
    FileInfo info;
    meta.writeLock().lock();
    try {
      ensureOpen();
      // Checked again: the tree may have changed while the content was ingested.
      Entry parent = requireDirectory(segs, segs.length - 1);
      DirNode pd = dir(parent.inode());
      String leaf = segs[segs.length - 1];
      old = pd.get(leaf);
      if (old != null && old.type() == FileType.DIRECTORY) {
        throw new FileStoreException(Reason.IS_A_DIRECTORY, path, "");
      }
      Entry e = new Entry(FileType.FILE, inode, size, clock.instant());
      Map<Long, DirNode> changes = Map.of(parent.inode(), pd.with(leaf, e));
      commit(changes, batch, old == null ? List.of() : List.of(fileKey(old.inode())));
      info = info(path, leaf, e);
    } finally {
      meta.writeLock().unlock();
    }
    return info;
  }

  @Override
  public void delete(String path) {
    remove(path, false);
  }

  @Override
  public void deleteRecursively(String path) {
    remove(path, true);
  }

  private void remove(String path, boolean recursive) {
    String[] segs = FsPaths.parse(path, "path");
    if (segs.length == 0) {
      throw new FileStoreException(Reason.INVALID_MOVE, path, "the root cannot be deleted");
    }
    List<String> unreachable = new ArrayList<>();
    List<Long> droppedDirs = new ArrayList<>();
    meta.writeLock().lock();
    try {
      ensureOpen();
      Entry parent = requireDirectory(segs, segs.length - 1);
      DirNode pd = dir(parent.inode());
      String leaf = segs[segs.length - 1];
      Entry e = pd.get(leaf);
      if (e == null) {
        throw new FileStoreException(Reason.NOT_FOUND, path, "");
      }
      if (e.type() == FileType.DIRECTORY && !recursive && !dir(e.inode()).isEmpty()) {
        throw new FileStoreException(Reason.DIRECTORY_NOT_EMPTY, path, "");
      }
      collect(e, unreachable, droppedDirs);
      commit(Map.of(parent.inode(), pd.without(leaf)), null, unreachable);
      for (Long d : droppedDirs) {
        dirs.remove(d);
      }
    } finally {
      meta.writeLock().unlock();
    }
  }

  private void collect(Entry e, List<String> keys, List<Long> droppedDirs) {
    if (e.type() == FileType.FILE) {
      keys.add(fileKey(e.inode()));
      return;
    }
    for (Entry child : dir(e.inode()).entries().values()) {
      collect(child, keys, droppedDirs);
    }
    keys.add(dirKey(e.inode()));
    droppedDirs.add(e.inode());
  }

  @Override
  public void rename(String source, String target) {
    String[] src = FsPaths.parse(source, "source");
    String[] dst = FsPaths.parse(target, "target");
    if (src.length == 0 || dst.length == 0) {
      throw new FileStoreException(
          Reason.INVALID_MOVE, src.length == 0 ? source : target, "the root cannot be moved");
    }
    if (target.startsWith(source + "/")) {
      throw new FileStoreException(
          Reason.INVALID_MOVE, source, "target '" + target + "' is inside it");
    }
    Entry replaced;
    meta.writeLock().lock();
    try {
      ensureOpen();
      Entry srcParent = requireDirectory(src, src.length - 1);
      DirNode sp = dir(srcParent.inode());
      Entry moving = sp.get(src[src.length - 1]);
      if (moving == null) {
        throw new FileStoreException(Reason.NOT_FOUND, source, "");
      }
      if (source.equals(target)) {
        return;
      }
      Entry dstParent = requireDirectory(dst, dst.length - 1);
      String dstLeaf = dst[dst.length - 1];
      Map<Long, DirNode> changes = new HashMap<>();
      if (srcParent.inode() == dstParent.inode()) {
        replaced = checkTarget(sp.get(dstLeaf), moving, target);
        changes.put(srcParent.inode(), sp.without(src[src.length - 1]).with(dstLeaf, moving));
      } else {
        DirNode dp = dir(dstParent.inode());
        replaced = checkTarget(dp.get(dstLeaf), moving, target);
        changes.put(srcParent.inode(), sp.without(src[src.length - 1]));
        changes.put(dstParent.inode(), dp.with(dstLeaf, moving));
      }
      // One batch holds both tables (and the replaced file's deletion): a single commit point.
      commit(changes, null, replaced == null ? List.of() : List.of(fileKey(replaced.inode())));
    } finally {
      meta.writeLock().unlock();
    }
  }

  private static Entry checkTarget(Entry existing, Entry moving, String target) {
    if (existing == null) {
      return null;
    }
    if (existing.type() == FileType.DIRECTORY || moving.type() == FileType.DIRECTORY) {
      throw new FileStoreException(Reason.ALREADY_EXISTS, target, "");
    }
    return existing;
  }

  /**
   * Commits changed directory tables and the deletion of the objects the change makes unreachable
   * (plus whatever the batch holds) as one batch; then caches the tables.
   */
  private void commit(
      Map<Long, DirNode> changes, ObjectStore.Batch existing, List<String> unreachable) {
    ObjectStore.Batch batch = existing != null ? existing : store.batch();
    try {
      for (Map.Entry<Long, DirNode> e : changes.entrySet()) {
        batch.put(dirKey(e.getKey()), new ByteArrayInputStream(e.getValue().encode()));
      }
      for (String key : unreachable) {
        batch.delete(key);
      }
      batch.commit();
    } finally {
      if (existing == null) {
        batch.close();
      }
    }
    dirs.putAll(changes);
  }

  /**
   * Returns the keys of every object the committed tree references: the superblock, every reachable
   * directory table and every file's content. Used by tests to prove nothing under {@code
   * filestore/<name>/} is leaked.
   *
   * @return the referenced keys
   */
  public java.util.Set<String> referencedKeys() {
    meta.readLock().lock();
    try {
      ensureOpen();
      java.util.Set<String> keys = new java.util.TreeSet<>();
      keys.add(prefix + "super");
      List<String> found = new ArrayList<>();
      collect(rootEntry(), found, new ArrayList<>());
      keys.addAll(found);
      return keys;
    } finally {
      meta.readLock().unlock();
    }
  }

  @Override
  public void close() {
    meta.writeLock().lock();
    try {
      closed = true;
      dirs.clear();
    } finally {
      meta.writeLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("file store '" + name + "' is closed");
    }
  }

  /** Counts the bytes read through it, so a write learns its size without buffering. */
  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
