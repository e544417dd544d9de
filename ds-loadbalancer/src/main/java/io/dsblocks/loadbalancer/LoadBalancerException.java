package io.dsblocks.loadbalancer;

/** Base class of every error ds-loadbalancer throws: unchecked, naming the pool or endpoint. */
public class LoadBalancerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong and where
   */
  public LoadBalancerException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong and where
   * @param cause the underlying error
   */
  public LoadBalancerException(String message, Throwable cause) {
    super(message, cause);
  }
}
