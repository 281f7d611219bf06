package io.actorkv.base;

/**
 * A write the journal's database did not store, and whether it may have
 * all the same. {@code mayBeStored} false: the database refused it before
 * its commit (a full disk, no connection), so it was rolled back and
 * nothing changed; true: it failed at or after its commit, whose outcome
 * is unknown. The journal fails writes with it; the key's entity tells its
 * client, and the API answers {@code 503 journal_unavailable} with
 * {@code mayHaveApplied} as it says.
 */
public final class NotStored extends RuntimeException {

  private final boolean mayBeStored;

  public NotStored(String message, Throwable cause, boolean mayBeStored) {
    super(message, cause);
    this.mayBeStored = mayBeStored;
  }

  public boolean mayBeStored() {
    return mayBeStored;
  }

  /** The {@code NotStored} in {@code failure}'s causes, or null. */
  public static NotStored in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NotStored n) return n;
    }
    return null;
  }
}
