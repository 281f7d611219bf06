package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.actorkv.eventual.EventualReply;
import io.actorkv.eventual.EventualStore;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.Namespaces;
import io.actorkv.node.ClusterStatus;
import io.actorkv.strong.KeyReply;
import io.actorkv.strong.Precondition;
import io.actorkv.strong.StrongStore;
import io.actorkv.strong.StoredValue;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/** {@code /v1/kv/{ns}/{key}}: GET (and HEAD), PUT and DELETE of one key. */
final class KvRoutes extends ApiDirectives {

  private static final String PREFIX = "/v1/kv/";
  static final String REVISION_HEADER = "X-KV-Revision";
  static final String EXPIRES_HEADER = "X-KV-Expires";
  static final String MODIFIED_HEADER = "X-KV-Modified";
  static final String CONTEXT_HEADER = "X-KV-Context";
  private static final String INCREMENT = "/increment";
  /** How many distinct stored content types {@link #contentType} keeps parsed. */
  static final int PARSED_CONTENT_TYPES = 256;
  private static final ConcurrentHashMap<String, ContentType> PARSED = new ConcurrentHashMap<>();

  private final StrongStore store;
  private final EventualStore eventual;
  private final Namespaces namespaces;
  private final ClusterStatus cluster;
  private final long maxValueBytes;
  private final long maxEventualValueBytes;
  private final Duration bodyTimeout;
  private final String principal;

  KvRoutes(StrongStore store, EventualStore eventual, Namespaces namespaces, ClusterStatus cluster,
           long maxValueBytes, long maxEventualValueBytes, Duration bodyTimeout, String principal) {
    this.store = store;
    this.eventual = eventual;
    this.namespaces = namespaces;
    this.cluster = cluster;
    this.maxValueBytes = maxValueBytes;
    this.maxEventualValueBytes = maxEventualValueBytes;
    this.bodyTimeout = bodyTimeout;
    this.principal = principal;
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
    return respond(false, () -> {
      Optional<String> r = request.getUri().query().get("r");
      return resolve(ns, rest).thenCompose(t -> t.eventual()
          ? eventual.get(t.ns(), t.key(), KvInput.level("r", r, t.ns().read())).thenApply(EventualResponses::read)
          : store.get(strongOnly(t, r, "r").name(), t.key()).thenApply(KvRoutes::readResponse));
    });
  }

  private Route putKey(String ns, String rest, HttpRequest request, Materializer mat) {
    return respond(true, () -> {
      RequestHeaders headers = RequestHeaders.of(request);
      Query q = request.getUri().query();
      RequestEntity entity = request.entity();
      Precondition pre = headers.precondition();
      Duration ttl = KvInput.ttl(q.get("ttl"));
      Optional<String> w = q.get("w");
      String contentType = entity.getContentType().toString();
      return resolve(ns, rest).thenCompose(t -> {
        if (t.eventual()) {
          boolean ifAbsent = eventualPrecondition(pre);
          Level level = KvInput.level("w", w, t.ns().write());
          var context = KvInput.context(headers.context());
          return bytes(entity, mat, maxEventualValueBytes, bodyTimeout).<EventualReply>thenCompose(value ->
                  eventual.put(t.ns(), t.key(), value, contentType, ttl, context, ifAbsent, level))
              .thenApply(EventualResponses::write);
        }
        headers.strongOnly();
        return bytes(entity, mat, maxValueBytes, bodyTimeout).<KeyReply>thenCompose(value ->
                store.put(strongOnly(t, w, "w").name(), t.key(), value, contentType, ttl, pre, principal))
            .thenApply(KvRoutes::writeResponse);
      });
    });
  }

  private Route deleteKey(String ns, String rest, HttpRequest request) {
    return respond(true, () -> {
      RequestHeaders headers = RequestHeaders.of(request);
      Precondition pre = headers.precondition();
      Optional<String> w = request.getUri().query().get("w");
      return resolve(ns, rest).thenCompose(t -> {
        if (t.eventual()) {
          eventualPrecondition(pre);
          return eventual.delete(t.ns(), t.key(), KvInput.context(headers.context()),
                  KvInput.level("w", w, t.ns().write()))
              .thenApply(EventualResponses::write);
        }
        headers.strongOnly();
        return store.delete(strongOnly(t, w, "w").name(), t.key(), pre, principal)
            .thenApply(KvRoutes::writeResponse);
      });
    });
  }

  private Route incrementKey(String ns, String rest, HttpRequest request) {
    return respond(true, () -> {
      Query q = request.getUri().query();
      long delta = KvInput.incrementBy(q.get("by"));
      Optional<String> w = q.get("w");
      return resolve(ns, rest.substring(0, rest.length() - INCREMENT.length())).thenCompose(t -> t.eventual()
          ? eventual.increment(t.ns(), t.key(), delta, KvInput.level("w", w, t.ns().write()))
              .thenApply(EventualResponses::write)
          : store.increment(strongOnly(t, w, "w").name(), t.key(), delta, principal)
              .thenApply(KvRoutes::writeResponse));
    });
  }

  /** Eventual namespaces take {@code If-None-Match: *} (checked on this node only) and nothing else. */
  private static boolean eventualPrecondition(Precondition pre) {
    if (pre instanceof Precondition.IfRevision || pre instanceof Precondition.IfPresent) {
      throw ApiError.badRequest("cas_requires_strong",
          "If-Match (compare-and-set) needs a strong namespace; eventual namespaces take X-KV-Context instead");
    }
    return pre instanceof Precondition.IfAbsent;
  }

  /** Strong namespaces take no level: every request to them is linearizable. */
  private static Target strongOnly(Target t, Optional<String> level, String name) {
    if (level.isPresent()) {
      throw ApiError.badRequest("bad_level",
          name + " applies to eventual namespaces; every request to a strong namespace is linearizable");
    }
    return t;
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

  /**
   * The precondition and context headers as sent; parsed inside
   * {@link #respond}, so bad ones answer 400 like any bad input.
   */
  private record RequestHeaders(Optional<String> ifMatch, Optional<String> ifNoneMatch, Optional<String> context) {
    static RequestHeaders of(HttpRequest request) {
      return new RequestHeaders(header(request, "If-Match"), header(request, "If-None-Match"),
          header(request, CONTEXT_HEADER));
    }

    /** The first header of that name, as {@code optionalHeaderValueByName} finds it. */
    private static Optional<String> header(HttpRequest request, String name) {
      return request.getHeader(name).map(HttpHeader::value);
    }

    Precondition precondition() {
      return KvInput.precondition(ifMatch, ifNoneMatch);
    }

    /** Strong keys are versioned by revision, not by causal context. */
    void strongOnly() {
      if (context.isPresent()) {
        throw ApiError.badRequest("bad_context",
            CONTEXT_HEADER + " applies to eventual namespaces; use If-Match with a revision in strong ones");
      }
    }
  }

  /** The namespace as defined, and the key. */
  private record Target(NamespaceDefinition ns, String key) {
    boolean eventual() {
      return ns.mode() == Mode.EVENTUAL;
    }

    String name() {
      return ns.name();
    }
  }

  /** Checks names, readiness and that the namespace exists, in that order. */
  private CompletionStage<Target> resolve(String ns, String encodedRest) {
    String namespace = KvInput.namespace(ns);
    String key = KvInput.key(encodedRest);
    if (!cluster.ready()) {
      throw ApiError.notReady("this node is not yet (or no longer) an Up member of the cluster; retry shortly");
    }
    return namespaces.find(namespace)
        .exceptionally(failure -> {
          throw ApiError.rootCause(failure) instanceof TimeoutException
              ? ApiError.of(StatusCodes.SERVICE_UNAVAILABLE, "namespaces_unavailable",
                  "the namespace registry did not answer in time; nothing was changed")
              : ApiError.from(failure, false);
        })
        .thenApply(found -> {
          if (found.isEmpty()) {
            throw ApiError.of(StatusCodes.NOT_FOUND, "namespace_not_found",
                "namespace '" + namespace + "' does not exist").with("namespace", namespace);
          }
          return new Target(found.get(), key);
        });
  }

  private static HttpResponse readResponse(KeyReply reply) {
    if (reply instanceof KeyReply.Found found) {
      StoredValue v = found.value();
      HttpResponse response = HttpResponse.create()
          .withEntity(HttpEntities.create(contentType(v.contentType()), v.bytes()))
          .addHeader(etag(found.revision()))
          .addHeader(RawHeader.create(REVISION_HEADER, Long.toString(found.revision())))
          .addHeader(RawHeader.create(MODIFIED_HEADER, v.modifiedAt().toString()));
      return v.expiresAt() == null ? response
          : response.addHeader(RawHeader.create(EXPIRES_HEADER, v.expiresAt().toString()));
    }
    return keyNotFound();
  }

  /** The body of a successful PUT. */
  record Written(long revision, boolean created) {}

  private static HttpResponse writeResponse(KeyReply reply) {
    if (reply instanceof KeyReply.Stored stored) {
      return Json.response(stored.created() ? StatusCodes.CREATED : StatusCodes.OK,
              new Written(stored.revision(), stored.created()))
          .addHeader(etag(stored.revision()));
    }
    if (reply instanceof KeyReply.Deleted deleted) {
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
          .addHeader(RawHeader.create(REVISION_HEADER, Long.toString(deleted.revision())));
    }
    if (reply instanceof KeyReply.Counted counted) {
      return Json.response(StatusCodes.OK, Map.of("value", counted.value(), "revision", counted.revision()))
          .addHeader(etag(counted.revision()));
    }
    if (reply instanceof KeyReply.WrongKind wrong) return wrongKind(wrong.existing());
    if (reply instanceof KeyReply.CounterOverflow) return counterOverflow();
    if (reply instanceof KeyReply.PreconditionFailed failed) {
      return ApiError.of(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
              failed.exists()
                  ? "the key is at revision " + failed.revision() + "; nothing was written"
                  : "the key does not exist; nothing was written")
          .with("revision", failed.revision())
          .with("exists", failed.exists())
          .response();
    }
    return keyNotFound();
  }

  private static ETag etag(long revision) {
    return ETag.create(EntityTag.create(Long.toString(revision), false));
  }

  static HttpResponse keyNotFound() {
    return ApiError.of(StatusCodes.NOT_FOUND, "key_not_found", "no such key (never written, deleted or expired)")
        .response();
  }

  /** {@code existing} is "counter" or "value": what the key holds, which the request does not fit. */
  static HttpResponse wrongKind(String existing) {
    return ApiError.of(StatusCodes.CONFLICT, "wrong_kind", existing.equals("counter")
            ? "the key holds a counter: use POST .../increment, or delete it first"
            : "the key holds a value, not a counter: delete it first to use it as a counter")
        .with("holds", existing).response();
  }

  static HttpResponse counterOverflow() {
    return ApiError.of(StatusCodes.CONFLICT, "counter_overflow",
        "the counter would leave the range of a 64-bit integer; nothing was changed").response();
  }

  /**
   * The content type a value was stored with, as a response carries it; one
   * that does not parse is served as {@code application/octet-stream}. Parsed
   * types are kept for the next read, up to {@link #PARSED_CONTENT_TYPES}
   * distinct ones: parsing was 7 % of a GET's allocation.
   */
  static ContentType contentType(String stored) {
    ContentType known = PARSED.get(stored);
    if (known != null) return known;
    ContentType parsed;
    try {
      parsed = ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      parsed = ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (PARSED.size() < PARSED_CONTENT_TYPES) PARSED.put(stored, parsed);
    return parsed;
  }
}
