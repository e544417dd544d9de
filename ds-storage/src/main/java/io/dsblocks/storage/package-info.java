/**
 * Deduplicated, compressed and encrypted storage: content-defined chunking, keyed content
 * addressing, per-chunk compression and authenticated encryption, append-only pack files, and
 * object, block and file APIs over one repository core.
 */
package io.dsblocks.storage;
