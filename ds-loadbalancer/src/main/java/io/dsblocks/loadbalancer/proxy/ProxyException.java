package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.LoadBalancerException;

/**
 * Thrown when a proxy cannot start, e.g. its listening address is in use.
 *
 * <p>Instances are immutable.
 */
public class ProxyException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the address
   * @param cause the underlying error
   */
  public ProxyException(String message, Throwable cause) {
    super(message, cause);
  }
}
