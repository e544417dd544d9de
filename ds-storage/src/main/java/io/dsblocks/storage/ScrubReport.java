package io.dsblocks.storage;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ObjectStore#scrub(long)} found and did: every copy of every referenced pack (local
 * and on each node) was read, its header, record checksums, record authentication tags and trailer
 * checked, and damaged or missing copies rewritten from a healthy one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param packsChecked referenced packs examined
 * @param copiesChecked copies read (local plus node copies)
 * @param bytesRead bytes read from all copies
 * @param problems every damaged or missing copy, in pack order
 * @param orphansRemoved node files that no committed data references (left by a crash between a
 *     local delete and its replicas' deletes, or by a failed commit) that were deleted
 */
public record ScrubReport(
    int packsChecked,
    int copiesChecked,
    long bytesRead,
    List<Problem> problems,
    int orphansRemoved) {

  /**
   * Validates and copies the list.
   *
   * @throws NullPointerException if {@code problems} is null
   */
  public ScrubReport {
    problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
  }

  /** Where a pack's primary copy lives in {@link Problem#location()}. */
  public static final String LOCAL = "local";

  /**
   * One damaged or missing copy.
   *
   * @param pack the pack's file name
   * @param location {@link #LOCAL} or the node id
   * @param reason what was wrong
   * @param repaired whether it was rewritten from a healthy copy
   */
  public record Problem(String pack, String location, String reason, boolean repaired) {}

  /**
   * Returns whether every copy was healthy or has been repaired.
   *
   * @return true if nothing is left damaged
   */
  public boolean healthy() {
    return problems.stream().allMatch(Problem::repaired);
  }
}
