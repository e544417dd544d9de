/** JMH benchmarks. */
package io.dsblocks.benchmarks;
