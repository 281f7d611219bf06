package io.actorkv.store;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
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
   * every change acknowledged before this call; fails with a
   * {@link java.util.concurrent.TimeoutException} if that takes longer than
   * the time {@code left}.
   */
  CompletionStage<KeyOutcome> list(String storageName, KeyRequest.List request, Supplier<Duration> left);
}
