/**
 * The configuration file front end of the proxies: a YAML file, checked against its schema, turned
 * into the same {@link io.dsblocks.loadbalancer.proxy.ProxyConfig} or {@link
 * io.dsblocks.loadbalancer.proxy.L4ProxyConfig} the builders make. Entry point: {@link
 * io.dsblocks.loadbalancer.config.ProxyConfigFile}; every problem is a {@link
 * io.dsblocks.loadbalancer.config.ConfigException} naming its line, column and item. Needs {@code
 * org.snakeyaml:snakeyaml-engine} on the class path (an optional dependency of this module; the
 * standalone jar includes it).
 */
package io.dsblocks.loadbalancer.config;
