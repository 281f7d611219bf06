package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.actorkv.namespace.Level;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.Precondition;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * {@code /v1/kv/{ns}/{key}}: GET (and HEAD), PUT, DELETE and POST
 * {@code .../increment} of one key. Each route reads its input, finds the
 * namespace, makes one {@link KeyRequest} and hands it to the store; the
 * outcome is rendered by {@link KeyResponses}. Nothing here depends on the
 * namespace's mode.
 */
final class KvRoutes extends ApiDirectives {

  private static final String PREFIX = "/v1/kv/";
  private static final String INCREMENT = "/increment";

  private final KeyValueStore store;
  private final Namespaces namespaces;
  private final RequestContexts contexts;
  private final ValueLimits limits;
  private final Duration bodyTimeout;

  KvRoutes(KeyValueStore store, Namespaces namespaces, RequestContexts contexts, ValueLimits limits,
           Duration bodyTimeout) {
    this.store = store;
    this.namespaces = namespaces;
    this.contexts = contexts;
    this.limits = limits;
    this.bodyTimeout = bodyTimeout;
  }

  /**
   * Each method's route reads what it needs (query, headers, body) from the
   * request itself: a directive per parameter is a route object per request.
   */
  Route route() {
    return pathPrefix("kv", () -> pathPrefix(segment(), ns -> rawKeyPath(rest -> concat(
        get(() -> extractRequest(request -> getKey(ns, rest, request))),
        put(() -> extractRequestContext(ctx -> putKey(ns, rest, ctx.getRequest(), ctx.getMaterializer()))),
        delete(() -> extractRequest(request -> deleteKey(ns, rest, request))),
        // Only .../increment takes POST; testing before the method directive keeps the 405 for other paths.
        !rest.endsWith(INCREMENT) ? reject()
            : post(() -> extractRequest(request -> incrementKey(ns, rest, request)))))));
  }

  private Route getKey(String ns, String rest, HttpRequest request) {
    return answer(request, false, id -> {
      Optional<Level> level = KvInput.level("r", request.getUri().query().get("r"));
      return resolve(ns, rest).thenCompose(t -> store.get(contexts.of(id), new KeyRequest.Get(t.ns(), t.key(), level)));
    });
  }

  private Route putKey(String ns, String rest, HttpRequest request, Materializer mat) {
    return answer(request, true, id -> {
      Query q = request.getUri().query();
      Precondition pre = precondition(request);
      Optional<Duration> ttl = Optional.ofNullable(KvInput.ttl(q.get("ttl")));
      Optional<Level> level = KvInput.level("w", q.get("w"));
      Optional<String> context = context(request);
      RequestEntity entity = request.entity();
      String contentType = entity.getContentType().toString();
      return resolve(ns, rest).thenCompose(t ->
          bytes(entity, mat, limits.of(t.ns().mode()), bodyTimeout).thenCompose(value ->
              // The request is complete only now: its deadline starts with the store's part.
              store.put(contexts.of(id),
                  new KeyRequest.Put(t.ns(), t.key(), value, contentType, ttl, pre, context, level))));
    });
  }

  private Route deleteKey(String ns, String rest, HttpRequest request) {
    return answer(request, true, id -> {
      Precondition pre = precondition(request);
      Optional<Level> level = KvInput.level("w", request.getUri().query().get("w"));
      Optional<String> context = context(request);
      return resolve(ns, rest).thenCompose(t ->
          store.delete(contexts.of(id), new KeyRequest.Delete(t.ns(), t.key(), pre, context, level)));
    });
  }

  private Route incrementKey(String ns, String rest, HttpRequest request) {
    return answer(request, true, id -> {
      Query q = request.getUri().query();
      long by = KvInput.incrementBy(q.get("by"));
      Optional<Level> level = KvInput.level("w", q.get("w"));
      return resolve(ns, rest.substring(0, rest.length() - INCREMENT.length())).thenCompose(t ->
          store.increment(contexts.of(id), new KeyRequest.Increment(t.ns(), t.key(), by, level)));
    });
  }

  /** Completes with the store's outcome as HTTP, or the failure as a JSON error. */
  private Route answer(HttpRequest request, boolean write,
                       Function<String, CompletionStage<KeyOutcome>> work) {
    return respond(request, write, id -> work.apply(id).thenApply(KeyResponses::render));
  }

  /**
   * The still percent-encoded key part of the request URI exactly as the
   * client sent it (from Pekko's Raw-Request-URI header), so that it is
   * decoded once, strictly, by {@link KvInput#key}.
   */
  private Route rawKeyPath(Function<String, Route> inner) {
    return headerValueByName("Raw-Request-URI", raw -> {
      int query = raw.indexOf('?');
      String path = query < 0 ? raw : raw.substring(0, query);
      int kv = path.indexOf(PREFIX);
      int afterNamespace = kv < 0 ? -1 : path.indexOf('/', kv + PREFIX.length());
      return inner.apply(afterNamespace < 0 ? "" : path.substring(afterNamespace));
    });
  }

  /** {@code If-Match} / {@code If-None-Match}, parsed inside {@link #respond}, so bad ones answer 400. */
  private static Precondition precondition(HttpRequest request) {
    return KvInput.precondition(header(request, "If-Match"), header(request, "If-None-Match"));
  }

  /** The {@code X-KV-Context} header as sent; the eventual store reads and checks it. */
  private static Optional<String> context(HttpRequest request) {
    return header(request, KeyResponses.CONTEXT_HEADER).map(String::trim);
  }

  /** The first header of that name, as {@code optionalHeaderValueByName} finds it. */
  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value);
  }

  /** The namespace as defined, and the key. */
  private record Target(NamespaceDefinition ns, String key) {}

  /** Checks the names, then finds the namespace: 404 if it does not exist. */
  private CompletionStage<Target> resolve(String ns, String encodedRest) {
    String namespace = KvInput.namespace(ns);
    String key = KvInput.key(encodedRest);
    return namespaces.find(namespace)
        .exceptionally(failure -> {
          if (ApiError.rootCause(failure) instanceof TimeoutException) {
            throw ApiError.of(StatusCodes.SERVICE_UNAVAILABLE, "namespaces_unavailable",
                "the namespace registry did not answer in time; nothing was changed");
          }
          throw new CompletionException(failure);
        })
        .thenApply(found -> new Target(found.orElseThrow(() -> ApiError.namespaceNotFound(namespace)), key));
  }
}
