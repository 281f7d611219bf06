package io.actorkv.store;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A concern that stands between every key request and the stores, whatever
 * the operation: it sees the request, and answers it itself or passes it on
 * with {@code next}. The node lists its filters in one place
 * ({@link #around}); each concern is one filter.
 */
@FunctionalInterface
public interface StoreFilter {

  CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                    Supplier<CompletionStage<KeyOutcome>> next);

  /** {@code store} behind {@code filters}, the first of them outermost. */
  static KeyValueStore around(KeyValueStore store, List<StoreFilter> filters) {
    KeyValueStore wrapped = store;
    for (int i = filters.size() - 1; i >= 0; i--) wrapped = new Filtered(filters.get(i), wrapped);
    return wrapped;
  }

  /** One filter in front of a store. */
  record Filtered(StoreFilter filter, KeyValueStore inner) implements KeyValueStore {
    @Override
    public CompletionStage<KeyOutcome> get(RequestContext context, KeyRequest.Get request) {
      return filter.apply(context, request, () -> inner.get(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> put(RequestContext context, KeyRequest.Put request) {
      return filter.apply(context, request, () -> inner.put(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> delete(RequestContext context, KeyRequest.Delete request) {
      return filter.apply(context, request, () -> inner.delete(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> increment(RequestContext context, KeyRequest.Increment request) {
      return filter.apply(context, request, () -> inner.increment(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> revert(RequestContext context, KeyRequest.Revert request) {
      return filter.apply(context, request, () -> inner.revert(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> history(RequestContext context, KeyRequest.History request) {
      return filter.apply(context, request, () -> inner.history(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> list(RequestContext context, KeyRequest.List request) {
      return filter.apply(context, request, () -> inner.list(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> deleteRange(RequestContext context, KeyRequest.DeleteRange request) {
      return filter.apply(context, request, () -> inner.deleteRange(context, request));
    }

    @Override
    public CompletionStage<KeyOutcome> txn(RequestContext context, KeyRequest.Txn request) {
      return filter.apply(context, request, () -> inner.txn(context, request));
    }
  }
}
