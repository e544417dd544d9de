package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.LoadBalancerException;

/**
 * Thrown when a {@link DnsResponder} cannot start, e.g. because its port is taken. The message
 * names the address and port.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class DnsResponderException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the address
   * @param cause the underlying error
   */
  public DnsResponderException(String message, Throwable cause) {
    super(message, cause);
  }
}
