package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.actorkv.namespace.Namespaces;
import io.actorkv.node.ClusterStatus;
import io.actorkv.strong.KeyReply;
import io.actorkv.strong.Precondition;
import io.actorkv.strong.StrongStore;
import io.actorkv.strong.StoredValue;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
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

  private final StrongStore store;
  private final Namespaces namespaces;
  private final ClusterStatus cluster;
  private final long maxValueBytes;
  private final Duration bodyTimeout;
  private final String principal;

  KvRoutes(StrongStore store, Namespaces namespaces, ClusterStatus cluster, long maxValueBytes,
           Duration bodyTimeout, String principal) {
    this.store = store;
    this.namespaces = namespaces;
    this.cluster = cluster;
    this.maxValueBytes = maxValueBytes;
    this.bodyTimeout = bodyTimeout;
    this.principal = principal;
  }

  Route route() {
    return pathPrefix("kv", () -> pathPrefix(segment(), ns -> rawKeyPath(rest -> concat(
        get(() -> respond(false, () -> resolve(ns, rest)
            .thenCompose(k -> store.get(k.namespace(), k.key()))
            .thenApply(KvRoutes::readResponse))),
        put(() -> conditionalHeaders(headers -> parameterOptional("ttl", ttlParam -> extractMaterializer(mat ->
            extractRequestEntity(entity -> respond(true, () -> {
              Precondition pre = headers.precondition();
              Duration ttl = KvInput.ttl(ttlParam);
              return resolve(ns, rest).thenCompose(k -> body(entity, mat).thenCompose(bytes ->
                  store.put(k.namespace(), k.key(), bytes, entity.getContentType().toString(), ttl, pre,
                      principal)))
                  .thenApply(KvRoutes::writeResponse);
            })))))),
        delete(() -> conditionalHeaders(headers -> respond(true, () -> {
          Precondition pre = headers.precondition();
          return resolve(ns, rest)
              .thenCompose(k -> store.delete(k.namespace(), k.key(), pre, principal))
              .thenApply(KvRoutes::writeResponse);
        })))))));
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

  /** The precondition headers as sent; parsed inside {@link #respond}, so bad ones answer 400 like any bad input. */
  private record ConditionalHeaders(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
    Precondition precondition() {
      return KvInput.precondition(ifMatch, ifNoneMatch);
    }
  }

  private Route conditionalHeaders(Function<ConditionalHeaders, Route> inner) {
    return optionalHeaderValueByName("If-Match", ifMatch ->
        optionalHeaderValueByName("If-None-Match", ifNoneMatch ->
            inner.apply(new ConditionalHeaders(ifMatch, ifNoneMatch))));
  }

  private record Target(String namespace, String key) {}

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
          return new Target(namespace, key);
        });
  }

  private CompletionStage<byte[]> body(RequestEntity entity, Materializer mat) {
    return entity.withSizeLimit(maxValueBytes)
        .toStrict(bodyTimeout.toMillis(), mat)
        .thenApply(strict -> strict.getData().toArray());
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

  private static HttpResponse keyNotFound() {
    return ApiError.of(StatusCodes.NOT_FOUND, "key_not_found", "no such key (never written, deleted or expired)")
        .response();
  }

  private static ContentType contentType(String stored) {
    try {
      return ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
