/**
 * Virtual block devices over an {@link io.dsblocks.storage.ObjectStore}: fixed-size blocks, reads
 * and writes at any offset, thin provisioning, flush as the durability point, copy-on-write clones
 * and resizing. Entry point: {@link io.dsblocks.storage.block.BlockDevices}.
 */
package io.dsblocks.storage.block;
