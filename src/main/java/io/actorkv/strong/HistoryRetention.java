package io.actorkv.strong;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * How many revisions the keys of a namespace keep in the journal (0: all),
 * by the name its keys are stored under. A key's entity reads it when it
 * starts: its retention is fixed for as long as it runs.
 */
public interface HistoryRetention {

  /** Keys keep every revision. */
  HistoryRetention ALL = new HistoryRetention() {
    @Override
    public OptionalInt known(String storageName) {
      return OptionalInt.of(0);
    }

    @Override
    public CompletionStage<Integer> find(String storageName) {
      return java.util.concurrent.CompletableFuture.completedFuture(0);
    }
  };

  /** The retention if known at once, with no future. */
  OptionalInt known(String storageName);

  CompletionStage<Integer> find(String storageName);
}
