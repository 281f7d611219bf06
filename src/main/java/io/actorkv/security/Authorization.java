package io.actorkv.security;

import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.RequestContext;
import io.actorkv.store.StoreFilter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The key-level check, once for every transport: a read (of the key, a past
 * revision, its history) takes {@code read} on the key, a change (put,
 * delete, increment, revert) takes {@code write}; a listing takes
 * {@code read} and a range delete {@code write} on a granted prefix that
 * holds the whole range. Anything else answers
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
    String ns = request.namespace().name();
    boolean reads = request instanceof KeyRequest.Get || request instanceof KeyRequest.History
        || request instanceof KeyRequest.List;
    Permission wanted = reads ? Permission.READ : Permission.WRITE;
    Optional<KeyRange> range = request instanceof KeyRequest.List list ? Optional.of(list.range())
        : request instanceof KeyRequest.DeleteRange delete ? Optional.of(delete.range()) : Optional.empty();
    boolean permitted = range.map(r -> access.permitsRange(wanted, ns, r))
        .orElseGet(() -> access.permits(wanted, ns, request.key()));
    if (permitted) return next.get();
    String keys = range.map(KeyRange::describe).orElseGet(() -> "key '" + request.key() + "'");
    return CompletableFuture.completedFuture(new KeyOutcome.Forbidden(wanted.value(), ns, keys));
  }
}
