package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.ObjectInfo;

/**
 * A catalog row: the public description of a version plus its chunk list.
 *
 * @param info the version
 * @param chunks its chunk references
 */
public record VersionRecord(ObjectInfo info, ChunkList chunks) {}
