package io.actorkv.http;

import io.actorkv.base.Stages;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The one way a route finds the namespace a request names: the name checked
 * (400), a namespace this node knows found at once, another asked of the
 * registry; 404 if there is none, 410 if it was shredded, 503 if the
 * registry does not answer.
 */
final class NamespaceLookup {

  private final Namespaces namespaces;

  NamespaceLookup(Namespaces namespaces) {
    this.namespaces = namespaces;
  }

  CompletionStage<NamespaceDefinition> find(String ns) {
    String name = KvInput.namespace(ns);
    NamespaceDefinition known = namespaces.cached(name);
    if (known != null && known.shredded()) return CompletableFuture.failedFuture(ApiError.shredded(name));
    if (known != null) return CompletableFuture.completedFuture(known);
    return namespaces.find(name)
        .exceptionally(failure -> {
          if (Stages.rootCause(failure) instanceof TimeoutException) {
            throw ApiError.of(StatusCodes.SERVICE_UNAVAILABLE, "namespaces_unavailable",
                "the namespace registry did not answer in time; nothing was changed");
          }
          throw new CompletionException(failure);
        })
        .thenApply(found -> {
          NamespaceDefinition definition = found.orElseThrow(() -> ApiError.namespaceNotFound(name));
          if (definition.shredded()) throw ApiError.shredded(name);
          return definition;
        });
  }
}
