/**
 * Implementation of the YAML configuration file front end: the node tree with positions, value
 * parsing (durations, sizes, rates), the mapping onto the builders, and the access log writer. Not
 * API: may change without notice.
 */
package io.dsblocks.loadbalancer.internal.config;
