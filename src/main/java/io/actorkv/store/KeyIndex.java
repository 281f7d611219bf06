package io.actorkv.store;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Strong namespaces' live keys in byte order, kept apart from their
 * entities (one entity per key cannot answer for a range). A listing sees
 * every write acknowledged before it began, and each key at a revision it
 * really had.
 */
public interface KeyIndex {

  /**
   * A page of {@code request}'s range in the namespace stored as
   * {@code storageName}, or its count, once the index holds
   * every change acknowledged before this call; fails with {@link Behind}
   * if that takes longer than the time {@code left}.
   */
  CompletionStage<KeyOutcome> list(String storageName, KeyRequest.List request, Supplier<Duration> left);

  /** The index did not catch up with the journal in the time a listing had: nothing was read or changed. */
  final class Behind extends TimeoutException {
    public Behind(long appliedThrough, long journalHead) {
      super("the key index, which listings read, had not caught up with the journal in time (applied through "
          + "offset " + appliedThrough + ", the journal is at " + journalHead + ")");
    }
  }
}
