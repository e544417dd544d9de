package io.dsblocks.loadbalancer.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link GlobalRouter}'s answer to one query: the outcome, the chosen records (CNAMEs first, in
 * chain order, then the final records) and what a DNS response needs around them.
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class RoutingResult {
  private final RoutingOutcome outcome;
  private final List<RoutedRecord> records;
  private final String zone;
  private final long negativeTtlSeconds;
  private final long soaSerial;
  private final boolean locationDependent;

  RoutingResult(
      RoutingOutcome outcome,
      List<RoutedRecord> records,
      String zone,
      long negativeTtlSeconds,
      long soaSerial,
      boolean locationDependent) {
    this.outcome = outcome;
    this.records = records;
    this.zone = zone;
    this.negativeTtlSeconds = negativeTtlSeconds;
    this.soaSerial = soaSerial;
    this.locationDependent = locationDependent;
  }

  static RoutingResult refused() {
    return new RoutingResult(RoutingOutcome.REFUSED, List.of(), null, 0, 0, false);
  }

  /**
   * The outcome.
   *
   * @return the outcome
   */
  public RoutingOutcome outcome() {
    return outcome;
  }

  /**
   * The records to answer with: CNAME records followed through our zones, then the records of the
   * requested type. May hold CNAMEs even for NODATA and NXDOMAIN (the chain led to a name without
   * data), as DNS responses do.
   *
   * @return an unmodifiable list
   */
  public List<RoutedRecord> records() {
    return records;
  }

  /**
   * The values of the records, for convenience (e.g. {@code ["192.0.2.10"]}).
   *
   * @return the values in answer order
   */
  public List<String> values() {
    List<String> out = new ArrayList<>(records.size());
    for (RoutedRecord r : records) {
      out.add(r.value().value());
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The zone holding the last name looked up; its SOA goes into negative responses.
   *
   * @return the zone apex (for a CNAME chain that left our zones, the last zone inside them), or
   *     null for {@link RoutingOutcome#REFUSED}
   */
  public String zone() {
    return zone;
  }

  /**
   * The negative-caching TTL of the configuration that produced this result.
   *
   * @return seconds
   */
  public long negativeTtlSeconds() {
    return negativeTtlSeconds;
  }

  /**
   * The SOA serial of the configuration that produced this result.
   *
   * @return the serial
   */
  public long soaSerial() {
    return soaSerial;
  }

  /**
   * Whether the client's location influenced the answer (geolocation or latency routing). The
   * responder then scopes its EDNS Client Subnet reply to the client's subnet so resolvers do not
   * serve this answer to clients elsewhere.
   *
   * @return true if location-dependent
   */
  public boolean locationDependent() {
    return locationDependent;
  }

  @Override
  public String toString() {
    return "RoutingResult{" + outcome + ", records=" + records + ", zone=" + zone + '}';
  }
}
