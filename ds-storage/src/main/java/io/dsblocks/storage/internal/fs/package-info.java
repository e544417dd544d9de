/** File store implementation over the public object API; not part of the public API. */
package io.dsblocks.storage.internal.fs;
