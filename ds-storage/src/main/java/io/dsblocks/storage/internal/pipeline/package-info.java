/** Internal implementation; not part of the public API and may change without notice. */
package io.dsblocks.storage.internal.pipeline;
