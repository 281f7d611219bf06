package io.actorkv.store;

import java.util.concurrent.CompletionStage;

/**
 * The one interface under every transport: read, write, delete, count,
 * revert one key, read its history, and list a range of keys. Implemented
 * by each mode's store, by {@link ModeRouter}, which sends each request to
 * its namespace's mode, and by the
 * {@link StoreFilter}s that stand in front of them (metrics and readiness
 * today; authorization and audit are meant to go there too).
 */
public interface KeyValueStore {

  CompletionStage<KeyOutcome> get(RequestContext context, KeyRequest.Get request);

  CompletionStage<KeyOutcome> put(RequestContext context, KeyRequest.Put request);

  CompletionStage<KeyOutcome> delete(RequestContext context, KeyRequest.Delete request);

  CompletionStage<KeyOutcome> increment(RequestContext context, KeyRequest.Increment request);

  CompletionStage<KeyOutcome> revert(RequestContext context, KeyRequest.Revert request);

  CompletionStage<KeyOutcome> history(RequestContext context, KeyRequest.History request);

  /** A page of a range's live keys, or their count: {@link KeyOutcome.Listing}, {@link KeyOutcome.KeyCount}. */
  CompletionStage<KeyOutcome> list(RequestContext context, KeyRequest.List request);

  /** Deletes a range's keys one by one: {@link KeyOutcome.RangeDeleted}. */
  CompletionStage<KeyOutcome> deleteRange(RequestContext context, KeyRequest.DeleteRange request);

  /**
   * An atomic transaction over keys of strong namespaces:
   * {@link KeyOutcome.TxnDone}. A store that has none answers
   * {@link KeyOutcome.Invalid}.
   */
  default CompletionStage<KeyOutcome> txn(RequestContext context, KeyRequest.Txn request) {
    return java.util.concurrent.CompletableFuture.completedFuture(new KeyOutcome.Invalid("bad_txn",
        "transactions apply to strong namespaces only"));
  }
}
