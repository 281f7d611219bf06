package io.actorkv.security;

import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.RequestContext;
import io.actorkv.store.StoreFilter;
import io.actorkv.store.TxnCompare;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The key-level check, once for every transport: a read (of the key, a past
 * revision, its history) takes {@code read} on the key, a change (put,
 * delete, increment, revert) takes {@code write}; a listing takes
 * {@code read} and a range delete {@code write} on a granted prefix that
 * holds the whole range; a transaction takes each of those on each key it
 * compares, reads or changes. Anything else answers
 * {@link KeyOutcome.Forbidden} and reaches no store.
 */
public final class Authorization implements StoreFilter {

  private final AccessControl control;

  public Authorization(AccessControl control) {
    this.control = control;
  }

  @Override
  public CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                           Supplier<CompletionStage<KeyOutcome>> next) {
    Access access = control.cachedAccess(context.principal());
    if (access != null) return decide(access, request, next);
    return control.access(context.principal()).thenCompose(resolved -> decide(resolved, request, next));
  }

  private static CompletionStage<KeyOutcome> decide(Access access, KeyRequest request,
                                                    Supplier<CompletionStage<KeyOutcome>> next) {
    KeyOutcome.Forbidden refused = request instanceof KeyRequest.Txn txn ? refused(access, txn) : refused(access, request);
    return refused == null ? next.get() : CompletableFuture.completedFuture(refused);
  }

  /** A transaction takes {@code read} on each key it compares or reads and {@code write} on each it changes. */
  private static KeyOutcome.Forbidden refused(Access access, KeyRequest.Txn txn) {
    for (TxnCompare compare : txn.compares()) {
      if (!access.permits(Permission.READ, compare.namespace().name(), compare.key())) {
        return new KeyOutcome.Forbidden(Permission.READ.value(), compare.namespace().name(),
            "key '" + compare.key() + "'");
      }
    }
    for (KeyRequest request : txn.requests()) {
      KeyOutcome.Forbidden refused = refused(access, request);
      if (refused != null) return refused;
    }
    return null;
  }

  /** What the principal may not do to one key or range, or null if it may. */
  private static KeyOutcome.Forbidden refused(Access access, KeyRequest request) {
    String ns = request.namespace().name();
    boolean reads = request instanceof KeyRequest.Get || request instanceof KeyRequest.History
        || request instanceof KeyRequest.List;
    Permission wanted = reads ? Permission.READ : Permission.WRITE;
    Optional<KeyRange> range = request instanceof KeyRequest.List list ? Optional.of(list.range())
        : request instanceof KeyRequest.DeleteRange delete ? Optional.of(delete.range()) : Optional.empty();
    boolean permitted = range.map(r -> access.permitsRange(wanted, ns, r))
        .orElseGet(() -> access.permits(wanted, ns, request.key()));
    if (permitted) return null;
    String keys = range.map(KeyRange::describe).orElseGet(() -> "key '" + request.key() + "'");
    return new KeyOutcome.Forbidden(wanted.value(), ns, keys);
  }
}
