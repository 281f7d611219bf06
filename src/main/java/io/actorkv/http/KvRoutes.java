package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.actorkv.namespace.Level;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRange;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.Precondition;
import io.actorkv.store.RequestId;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.server.Rejections;
import org.apache.pekko.http.javadsl.server.RequestContext;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * {@code /v1/kv/{ns}/{key}}: GET (and HEAD), PUT, DELETE and POST
 * {@code .../increment} of one key; GET {@code /v1/kv/{ns}} lists keys. Each route reads its input, finds the
 * namespace, makes one {@link KeyRequest} and hands it to the store; the
 * outcome is rendered by {@link KeyResponses}. Nothing here depends on the
 * namespace's mode.
 */
final class KvRoutes extends ApiDirectives {

  private static final String PREFIX = "/v1/kv/";
  private static final String HISTORY_PREFIX = "/v1/history/";
  private static final String INCREMENT = "/increment";
  private static final String REVERT = "/revert";

  private final KeyValueStore store;
  private final Namespaces namespaces;
  private final NamespaceLookup lookup;
  private final RequestContexts contexts;
  private final ValueLimits limits;
  private final Bodies bodies;
  private final long listingMaxResponseBytes;
  // Built once: what a key path answers to a method it does not take (405, with Allow).
  private final Route notAllowed = reject(Rejections.method(HttpMethods.GET), Rejections.method(HttpMethods.PUT),
      Rejections.method(HttpMethods.DELETE));
  private final Route notAllowedOnPost = reject(Rejections.method(HttpMethods.GET),
      Rejections.method(HttpMethods.PUT), Rejections.method(HttpMethods.DELETE), Rejections.method(HttpMethods.POST));
  private final Route onlyGet = reject(Rejections.method(HttpMethods.GET));
  private final Route notAllowedOnNamespace = reject(Rejections.method(HttpMethods.GET),
      Rejections.method(HttpMethods.DELETE));
  private final Route badPath = complete(HttpApi.BAD_PATH.response());
  private final Route badEscape = complete(HttpApi.BAD_ESCAPE.response());
  private final Route notAsSent = complete(ApiError.badRequest("bad_path",
      "key paths are /v1/kv/{namespace}/{key} as they are sent, with no percent-escapes before the key").response());

  KvRoutes(KeyValueStore store, Namespaces namespaces, RequestContexts contexts, ValueLimits limits,
           Bodies bodies, long listingMaxResponseBytes) {
    this.store = store;
    this.namespaces = namespaces;
    this.lookup = new NamespaceLookup(namespaces);
    this.contexts = contexts;
    this.limits = limits;
    this.bodies = bodies;
    this.listingMaxResponseBytes = listingMaxResponseBytes;
  }

  /**
   * Every key request takes one route: it reads the method, the path and
   * then what the method needs (query, headers, body) from the request
   * itself. A directive per method or parameter would be route objects made
   * for every request.
   */
  Route route() {
    return concat(
        pathPrefix("kv", () -> pathPrefix(segment(), routed -> extractRequestContext(this::dispatch))),
        pathPrefix("history", () -> pathPrefix(segment(), routed -> extractRequest(this::history))));
  }

  /**
   * The namespace and the still percent-encoded key part are both read from
   * the path exactly as the client sent it ({@link RawPath}), so that the key
   * is decoded once, strictly, by {@link KvInput#key}, and the namespace is
   * the one the client named.
   */
  private Route dispatch(RequestContext ctx) {
    HttpRequest request = ctx.getRequest();
    String raw = rawUri(request);
    String path = RawPath.of(raw);
    if (RawPath.hasDotSegment(path)) return badPath;
    if (!RawPath.escapesAreUtf8(RawPath.query(raw))) return badEscape; // the key is decoded strictly itself
    if (!path.startsWith(PREFIX)) return notAsSent;
    int slash = path.indexOf('/', PREFIX.length());
    String ns = slash < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), slash);
    String rest = slash < 0 ? "" : path.substring(slash);
    var method = request.method();
    if (rest.isEmpty()) {
      if (method.equals(HttpMethods.GET)) return list(ns, request);
      return method.equals(HttpMethods.DELETE) ? deleteRange(ns, request) : notAllowedOnNamespace;
    }
    if (method.equals(HttpMethods.GET)) return getKey(ns, rest, request); // HEAD arrives as GET
    if (method.equals(HttpMethods.PUT)) return putKey(ns, rest, request, ctx.getMaterializer());
    if (method.equals(HttpMethods.DELETE)) return deleteKey(ns, rest, request);
    boolean increment = rest.endsWith(INCREMENT);
    boolean revert = rest.endsWith(REVERT);
    if (method.equals(HttpMethods.POST)) {
      if (increment) return incrementKey(ns, rest, request);
      if (revert) return revertKey(ns, rest, request);
    }
    return increment || revert ? notAllowedOnPost : notAllowed;
  }

  /** {@code GET /v1/history/{ns}/{key}}: a page of the key's changes. */
  private Route history(HttpRequest request) {
    String raw = rawUri(request);
    String path = RawPath.of(raw);
    if (RawPath.hasDotSegment(path)) return badPath;
    if (!RawPath.escapesAreUtf8(RawPath.query(raw))) return badEscape;
    if (!path.startsWith(HISTORY_PREFIX)) return notAsSent;
    if (!request.method().equals(HttpMethods.GET)) return onlyGet;
    int slash = path.indexOf('/', HISTORY_PREFIX.length());
    String ns = slash < 0 ? path.substring(HISTORY_PREFIX.length()) : path.substring(HISTORY_PREFIX.length(), slash);
    String rest = slash < 0 ? "" : path.substring(slash);
    return answer(request, false, id -> {
      Query q = request.getUri().query();
      int limit = KvInput.limit(KvInput.parameter(q, "limit"), KvInput.MAX_HISTORY_LIMIT);
      OptionalLong cursor = KvInput.cursor(KvInput.parameter(q, "cursor"));
      boolean newestFirst = KvInput.newestFirst(KvInput.parameter(q, "order"));
      return withNamespace(ns, rest, (namespace, key) ->
          store.history(contexts.of(id, request),
              new KeyRequest.History(namespace, key, newestFirst, cursor, limit)));
    });
  }

  private Route getKey(String ns, String rest, HttpRequest request) {
    return answer(request, false, id -> {
      Query q = request.getUri().query();
      Optional<Level> level = KvInput.level("r", KvInput.parameter(q, "r"));
      OptionalLong revision = KvInput.revision("revision", KvInput.parameter(q, "revision"));
      return withNamespace(ns, rest, (namespace, key) ->
          store.get(contexts.of(id, request), new KeyRequest.Get(namespace, key, level, revision)));
    });
  }

  /** {@code GET /v1/kv/{ns}}: a page of the namespace's live keys in byte order, or their count. */
  private Route list(String ns, HttpRequest request) {
    return answer(request, false, id -> {
      Query q = request.getUri().query();
      KeyRange range = KvInput.range(q);
      Optional<String> after = KvInput.listAfter(KvInput.parameter(q, "cursor"));
      int limit = KvInput.limit(KvInput.parameter(q, "limit"), KvInput.MAX_LIST_LIMIT);
      boolean withValues = !KvInput.flag("keysOnly", Optional.of(KvInput.parameter(q, "keysOnly").orElse("true")));
      boolean countOnly = KvInput.flag("count", KvInput.parameter(q, "count"));
      if (countOnly) KvInput.refuse(q, "a count", "it counts the whole range; narrow it with start=", "cursor");
      Optional<Level> level = KvInput.level("r", KvInput.parameter(q, "r"));
      return lookup.find(ns).thenCompose(namespace -> store.list(contexts.of(id, request), new KeyRequest.List(namespace,
          range, after, limit, withValues, listingMaxResponseBytes, countOnly, level)));
    });
  }

  /** {@code DELETE /v1/kv/{ns}?prefix=}: deletes a range's keys, each with a delete of its own. */
  private Route deleteRange(String ns, HttpRequest request) {
    return answer(request, true, id -> {
      KvInput.noIdempotencyKey(request, "a range delete");
      Query q = request.getUri().query();
      KvInput.refuse(q, "a range delete", "it deletes the range's keys from its start, up to limit; narrow it with "
          + "start=, or list them with GET", "cursor", "count", "keysOnly", "r");
      KeyRange range = KvInput.range(q);
      if (range.equals(KeyRange.ALL)) {
        throw ApiError.badRequest("bad_range", "name the keys to delete: a ?prefix= or ?start= that is not empty, "
            + "or an ?end=; an empty range would name every key");
      }
      int limit = KvInput.limit(Optional.of(KvInput.parameter(q, "limit").orElse("10000")), KvInput.MAX_LIST_LIMIT);
      return lookup.find(ns).thenCompose(namespace ->
          store.deleteRange(contexts.of(id, request), new KeyRequest.DeleteRange(namespace, range, limit)));
    });
  }

  private Route revertKey(String ns, String rest, HttpRequest request) {
    return answer(request, true, id -> {
      Query q = request.getUri().query();
      OptionalLong to = KvInput.revision("to", KvInput.parameter(q, "to"));
      if (to.isEmpty()) throw ApiError.badRequest("bad_revision", "give the revision to revert to: ?to=n");
      Optional<Duration> ttl = Optional.ofNullable(KvInput.ttl(KvInput.parameter(q, "ttl")));
      Precondition pre = precondition(request);
      Optional<String> idempotencyKey = idempotencyKey(request);
      return withNamespace(ns, rest.substring(0, rest.length() - REVERT.length()), (namespace, key) ->
          store.revert(contexts.of(id, request, idempotencyKey), new KeyRequest.Revert(namespace, key,
              to.getAsLong(), ttl, pre)));
    });
  }

  private Route putKey(String ns, String rest, HttpRequest request, Materializer mat) {
    return answer(request, true, id -> {
      Query q = request.getUri().query();
      Precondition pre = precondition(request);
      Optional<Duration> ttl = Optional.ofNullable(KvInput.ttl(KvInput.parameter(q, "ttl")));
      Optional<Level> level = KvInput.level("w", KvInput.parameter(q, "w"));
      Optional<String> context = context(request);
      Optional<String> idempotencyKey = idempotencyKey(request);
      RequestEntity entity = request.entity();
      String contentType = KvInput.contentType(request, entity.getContentType());
      return withNamespace(ns, rest, (namespace, key) ->
          bodies.read(entity, mat, limits.of(namespace.mode())).thenCompose(value ->
              // The request is complete only now: its deadline starts with the store's part.
              store.put(contexts.of(id, request, idempotencyKey),
                  new KeyRequest.Put(namespace, key, value, contentType, ttl, pre, context, level))));
    });
  }

  private Route deleteKey(String ns, String rest, HttpRequest request) {
    return answer(request, true, id -> {
      Precondition pre = precondition(request);
      Optional<Level> level = KvInput.level("w", KvInput.parameter(request.getUri().query(), "w"));
      Optional<String> context = context(request);
      Optional<String> idempotencyKey = idempotencyKey(request);
      return withNamespace(ns, rest, (namespace, key) ->
          store.delete(contexts.of(id, request, idempotencyKey),
              new KeyRequest.Delete(namespace, key, pre, context, level)));
    });
  }

  private Route incrementKey(String ns, String rest, HttpRequest request) {
    return answer(request, true, id -> {
      if (!(precondition(request) instanceof Precondition.None)) {
        throw ApiError.badRequest("bad_precondition", "an increment takes no If-Match or If-None-Match: it adds to "
            + "whatever the counter holds; compare and increment in a transaction (POST /v1/txn)");
      }
      Query q = request.getUri().query();
      long by = KvInput.incrementBy(KvInput.parameter(q, "by"));
      Optional<Level> level = KvInput.level("w", KvInput.parameter(q, "w"));
      Optional<String> idempotencyKey = idempotencyKey(request);
      return withNamespace(ns, rest.substring(0, rest.length() - INCREMENT.length()), (namespace, key) ->
          store.increment(contexts.of(id, request, idempotencyKey),
              new KeyRequest.Increment(namespace, key, by, level)));
    });
  }

  /** Completes with the store's outcome as HTTP, or the failure as a JSON error. */
  private Route answer(HttpRequest request, boolean write, Function<RequestId, CompletionStage<KeyOutcome>> work) {
    return respond(request, write, work, KeyResponses::render);
  }

  /** {@code If-Match} / {@code If-None-Match}, parsed inside {@link #respond}, so bad ones answer 400. */
  private static Precondition precondition(HttpRequest request) {
    return KvInput.precondition(KvInput.header(request, "If-Match"), KvInput.header(request, "If-None-Match"));
  }

  /** The {@code Idempotency-Key} header of a write, checked; a read ignores it. */
  private static Optional<String> idempotencyKey(HttpRequest request) {
    return KvInput.idempotencyKey(KvInput.header(request, "Idempotency-Key"));
  }

  /** The {@code X-KV-Context} header as sent; the eventual store reads and checks it. */
  private static Optional<String> context(HttpRequest request) {
    return KvInput.header(request, KeyResponses.CONTEXT_HEADER).map(String::trim);
  }

  /** Finds the namespace ({@link NamespaceLookup}), decodes the key and goes on with both. */
  private CompletionStage<KeyOutcome> withNamespace(
      String ns, String encodedRest, BiFunction<NamespaceDefinition, String, CompletionStage<KeyOutcome>> then) {
    String name = KvInput.namespace(ns);
    String key = KvInput.key(encodedRest);
    NamespaceDefinition known = namespaces.cached(name); // the hot path, with no future
    if (known != null && !known.shredded()) return then.apply(known, key);
    return lookup.find(name).thenCompose(found -> then.apply(found, key));
  }
}
