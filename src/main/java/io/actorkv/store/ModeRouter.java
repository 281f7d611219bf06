package io.actorkv.store;

import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Sends each request, and each question about a namespace's contents, to the store of the namespace's mode. */
public final class ModeRouter implements KeyValueStore, Namespaces.Contents {

  private final Map<Mode, ModeStore> stores = new EnumMap<>(Mode.class);

  /** @param stores one store for each mode */
  public ModeRouter(ModeStore... stores) {
    for (ModeStore s : stores) {
      if (this.stores.put(s.mode(), s) != null) throw new IllegalArgumentException("two stores for " + s.mode());
    }
    for (Mode m : Mode.values()) {
      if (!this.stores.containsKey(m)) throw new IllegalArgumentException("no store for " + m);
    }
  }

  private ModeStore of(NamespaceDefinition namespace) {
    return stores.get(namespace.mode());
  }

  @Override
  public CompletionStage<KeyOutcome> get(RequestContext context, KeyRequest.Get request) {
    return of(request.namespace()).get(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> put(RequestContext context, KeyRequest.Put request) {
    return of(request.namespace()).put(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> delete(RequestContext context, KeyRequest.Delete request) {
    return of(request.namespace()).delete(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> increment(RequestContext context, KeyRequest.Increment request) {
    return of(request.namespace()).increment(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> revert(RequestContext context, KeyRequest.Revert request) {
    return of(request.namespace()).revert(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> history(RequestContext context, KeyRequest.History request) {
    return of(request.namespace()).history(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> list(RequestContext context, KeyRequest.List request) {
    return of(request.namespace()).list(context, request);
  }

  @Override
  public CompletionStage<KeyOutcome> deleteRange(RequestContext context, KeyRequest.DeleteRange request) {
    return of(request.namespace()).deleteRange(context, request);
  }

  /** A transaction names strong namespaces only (the API checks each), so its first key's mode is its mode. */
  @Override
  public CompletionStage<KeyOutcome> txn(RequestContext context, KeyRequest.Txn request) {
    return of(request.namespace()).txn(context, request);
  }

  @Override
  public CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition namespace) {
    return of(namespace).hasLiveKeys(namespace);
  }

  @Override
  public CompletionStage<Void> forget(NamespaceDefinition namespace) {
    return of(namespace).forget(namespace);
  }
}
