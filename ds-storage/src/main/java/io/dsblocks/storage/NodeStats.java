package io.dsblocks.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Space accounting and copy/read counters of one {@link StorageNode}, part of {@link
 * ReplicationStats#perNode()}.
 *
 * <p><b>Space.</b> A node holds whole sealed packs. {@code packs} and {@code packBytes} are the
 * pack copies the store knows the node holds (written or confirmed by this store, or listed by the
 * node at open or scrub) and their sizes; {@code chunks}, {@code uniqueBytes} and {@code
 * storedBytes} describe the live chunks in those packs (the dead space of not yet repacked packs is
 * in {@code packBytes} only). A damaged copy still counts until scrub rewrites it.
 *
 * <p><b>Logical bytes are attributed, not counted.</b> Dedup is repository-wide: a chunk is stored
 * once and every object that uses it, wherever it is, reads that one copy, so the bytes on a node
 * do not belong to particular objects. A node's logical bytes are therefore the repository's
 * logical bytes shared out in proportion to the unique bytes the node holds: {@code logicalBytes *
 * nodeUniqueBytes / uniqueBytes} of {@link StorageStats}. So {@link #dedupRatio()} is the
 * repository's dedup ratio (what dedup saved applies to every copy alike), and {@link
 * #reductionRatio()} says how much user data one byte on the node stands for; {@link
 * #compressionRatio()} is the node's own.
 *
 * <p><b>Counters</b> count since the store was opened.
 *
 * <p>Immutable and thread-safe.
 *
 * @param node the node id
 * @param packs pack copies the node holds
 * @param packBytes their total size: the bytes this store occupies on the node
 * @param chunks live chunks in those packs
 * @param uniqueBytes uncompressed size of those chunks
 * @param storedBytes size of those chunks as stored (compressed, encrypted, with record headers)
 * @param logicalBytes the user data those chunks stand for (attributed, see above)
 * @param pendingCopies copies of sealed, referenced packs this node should hold but does not yet
 *     (its share of the replication lag, waiting for or retrying the background copier)
 * @param pendingBytes their total size
 * @param copyLag age of the oldest pending copy by the store's clock ({@link
 *     StorageConfig#clock()}); zero when nothing is pending
 * @param copiesDone pack copies written to this node (copier, synchronous commits)
 * @param copiedBytes bytes of those copies
 * @param copyFailures copy or repair writes to this node that failed
 * @param repairs damaged or missing copies on this node rewritten by scrub
 * @param readsServed chunk reads answered from this node after the local copy failed
 * @param readFallbacks chunk reads that tried this node and found its copy missing, damaged or
 *     unreachable, and so went on to the next node
 */
public record NodeStats(
    String node,
    long packs,
    long packBytes,
    long chunks,
    long uniqueBytes,
    long storedBytes,
    long logicalBytes,
    long pendingCopies,
    long pendingBytes,
    Duration copyLag,
    long copiesDone,
    long copiedBytes,
    long copyFailures,
    long repairs,
    long readsServed,
    long readFallbacks) {

  /**
   * Checks the references.
   *
   * @param node see the record
   * @param packs see the record
   * @param packBytes see the record
   * @param chunks see the record
   * @param uniqueBytes see the record
   * @param storedBytes see the record
   * @param logicalBytes see the record
   * @param pendingCopies see the record
   * @param pendingBytes see the record
   * @param copyLag see the record
   * @param copiesDone see the record
   * @param copiedBytes see the record
   * @param copyFailures see the record
   * @param repairs see the record
   * @param readsServed see the record
   * @param readFallbacks see the record
   */
  public NodeStats {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(copyLag, "copyLag");
  }

  /**
   * Returns logical bytes divided by unique bytes: the repository's dedup ratio, since logical
   * bytes are attributed to a node in proportion to its unique bytes (see the class comment).
   *
   * @return the dedup ratio (1.0 when the node holds no live chunk)
   */
  public double dedupRatio() {
    return uniqueBytes == 0 ? 1.0 : (double) logicalBytes / uniqueBytes;
  }

  /**
   * Returns unique bytes divided by stored bytes: what compression saved on the node's chunks.
   *
   * @return the compression ratio (1.0 when the node holds no live chunk)
   */
  public double compressionRatio() {
    return storedBytes == 0 ? 1.0 : (double) uniqueBytes / storedBytes;
  }

  /**
   * Returns logical bytes divided by the bytes the node's pack copies occupy.
   *
   * @return the reduction ratio (1.0 when the node holds nothing)
   */
  public double reductionRatio() {
    return packBytes == 0 ? 1.0 : (double) logicalBytes / packBytes;
  }
}
