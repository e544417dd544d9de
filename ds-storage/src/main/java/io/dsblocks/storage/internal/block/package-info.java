/** Block device implementation over the public object API; not part of the public API. */
package io.dsblocks.storage.internal.block;
