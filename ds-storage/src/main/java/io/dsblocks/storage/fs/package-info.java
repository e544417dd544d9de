/**
 * A directory tree over an {@link io.dsblocks.storage.ObjectStore}: create, write, streaming and
 * ranged reads, list, stat, delete and atomic rename of files and whole directories. Entry point:
 * {@link io.dsblocks.storage.fs.FileStores}.
 */
package io.dsblocks.storage.fs;
