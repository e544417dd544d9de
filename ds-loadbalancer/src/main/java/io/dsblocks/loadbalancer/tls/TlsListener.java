package io.dsblocks.loadbalancer.tls;

/**
 * Receives certificate reload events of a {@link TlsContextProvider}, for logs, metrics and alerts.
 * Every method has an empty default. Nothing is called on the handshake path, so a listener costs
 * handshakes nothing.
 *
 * <p>Callbacks run on the thread that reloads (the caller of {@link TlsContextProvider#reload()} or
 * the polling scheduler's thread); they must be quick. An exception thrown by a listener is caught
 * and ignored. Implementations must be thread-safe.
 */
public interface TlsListener {
  /**
   * New certificates are in service; new handshakes use them, established connections keep theirs.
   *
   * @param info the provider's state after the swap
   */
  default void onReloaded(TlsInfo info) {}

  /**
   * Changed certificate files could not be loaded; the previous certificates stay in service. The
   * polling checker reports each distinct bad file content once, not on every poll.
   *
   * @param error names the file and the problem
   */
  default void onReloadFailed(TlsReloadException error) {}
}
