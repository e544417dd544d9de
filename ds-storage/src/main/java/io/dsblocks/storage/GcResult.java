package io.dsblocks.storage;

/**
 * What one garbage-collection cycle did, from {@link ObjectStore#collectGarbage(GcOptions)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param versionsPurged catalog rows removed (versions and delete markers no one can see any more)
 * @param chunksMarked distinct chunks found referenced
 * @param chunksSwept chunks removed from the index (unreferenced)
 * @param sweptBytes stored bytes of the swept chunks
 * @param chunksProtected unreferenced chunks kept because a concurrent writer used them
 * @param packsRepacked packs whose live records were copied into new packs, then deleted
 * @param packsDeleted pack files deleted (repacked ones and ones with no live record)
 * @param bytesCopied record bytes copied by repacking
 * @param bytesReclaimed pack-file bytes freed: deleted pack sizes minus bytes copied
 * @param orphanChunkLists chunk lists (of objects over 4096 chunks) removed because no version
 *     references them: left by puts that failed or were killed after writing them
 */
public record GcResult(
    long versionsPurged,
    long chunksMarked,
    long chunksSwept,
    long sweptBytes,
    long chunksProtected,
    long packsRepacked,
    long packsDeleted,
    long bytesCopied,
    long bytesReclaimed,
    long orphanChunkLists) {}
