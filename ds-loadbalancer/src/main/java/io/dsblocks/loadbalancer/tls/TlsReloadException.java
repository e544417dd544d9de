package io.dsblocks.loadbalancer.tls;

import io.dsblocks.loadbalancer.LoadBalancerException;

/**
 * A certificate reload failed; the previous certificates stay in service. The message names the
 * file and the problem (unreadable, not a certificate, key mismatch, expired...).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TlsReloadException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the file
   * @param cause the validation error
   */
  public TlsReloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
