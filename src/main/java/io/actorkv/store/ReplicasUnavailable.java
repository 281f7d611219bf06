package io.actorkv.store;

/**
 * This node cannot keep eventual replicas now: it cannot write them to its
 * disk (a full disk, an I/O error), or its store of them could not be
 * opened. {@code mayHaveApplied}: the write reached this node's memory, and
 * may reach other replicas, before the disk refused it; otherwise nothing
 * was changed.
 */
public final class ReplicasUnavailable extends RuntimeException {

  private final boolean mayHaveApplied;

  public ReplicasUnavailable(String message, boolean mayHaveApplied) {
    super(message, null, false, false);
    this.mayHaveApplied = mayHaveApplied;
  }

  public boolean mayHaveApplied() {
    return mayHaveApplied;
  }
}
