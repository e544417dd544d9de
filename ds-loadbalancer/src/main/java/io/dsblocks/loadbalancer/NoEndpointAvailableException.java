package io.dsblocks.loadbalancer;

/**
 * Thrown by {@link Picker#pick} when no endpoint can take the request (all drained, or all
 * unhealthy with panic mode disabled, or every group of a pool empty).
 *
 * <p>Instances are immutable.
 */
public class NoEndpointAvailableException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  private final String balancerName;

  /**
   * Creates the exception.
   *
   * @param balancerName the balancer or pool that had nothing to pick
   * @param detail why, e.g. {@code "3 endpoints, 0 available"}
   */
  public NoEndpointAvailableException(String balancerName, String detail) {
    super("no endpoint available in '" + balancerName + "': " + detail);
    this.balancerName = balancerName;
  }

  /**
   * The balancer or pool that had nothing to pick.
   *
   * @return its name
   */
  public String balancerName() {
    return balancerName;
  }
}
