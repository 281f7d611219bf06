package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceReply;
import io.actorkv.namespace.Namespaces;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/namespaces}: list, create, show and remove namespaces. */
final class NamespaceRoutes extends ApiDirectives {

  private static final long MAX_DEFINITION_BYTES = 64 * 1024;

  /** The body of {@code PUT /v1/namespaces/{ns}}; an empty body means a strong namespace. */
  record Request(Mode mode) {}

  private final Namespaces namespaces;
  private final Duration bodyTimeout;

  NamespaceRoutes(Namespaces namespaces, Duration bodyTimeout) {
    this.namespaces = namespaces;
    this.bodyTimeout = bodyTimeout;
  }

  Route route() {
    return pathPrefix("namespaces", () -> concat(
        pathEnd(() -> get(() -> respond(false, () -> namespaces.list()
            .thenApply(all -> Json.response(StatusCodes.OK, Map.of("namespaces", all)))))),
        path(segment(), name -> concat(
            get(() -> respond(false, () -> namespaces.find(KvInput.namespace(name))
                .thenApply(found -> found.map(d -> Json.response(StatusCodes.OK, d))
                    .orElseGet(() -> notFound(name).response())))),
            put(() -> extractMaterializer(mat -> extractRequestEntity(entity -> respond(true, () -> {
              String ns = KvInput.namespace(name);
              return entity.withSizeLimit(MAX_DEFINITION_BYTES).toStrict(bodyTimeout.toMillis(), mat)
                  .thenCompose(strict -> namespaces.create(ns, parse(strict.getData().toArray()).mode()))
                  .thenApply(NamespaceRoutes::toResponse);
            })))),
            delete(() -> respond(true, () -> namespaces.remove(KvInput.namespace(name))
                .thenApply(NamespaceRoutes::toResponse)))))));
  }


  private static Request parse(byte[] body) {
    if (body.length == 0) return new Request(Mode.STRONG);
    try {
      Request request = Json.MAPPER.readValue(body, Request.class);
      return request.mode() == null ? new Request(Mode.STRONG) : request;
    } catch (JsonMappingException e) {
      throw ApiError.badRequest("bad_namespace_definition",
          "expected {\"mode\": \"strong\"}: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("bad_namespace_definition", "the body is not valid JSON");
    }
  }

  private static ApiError notFound(String name) {
    return ApiError.of(StatusCodes.NOT_FOUND, "namespace_not_found", "namespace '" + name + "' does not exist")
        .with("namespace", name);
  }

  private static HttpResponse toResponse(NamespaceReply reply) {
    if (reply instanceof NamespaceReply.Created c) return Json.response(StatusCodes.CREATED, c.definition());
    if (reply instanceof NamespaceReply.AlreadyExists e) return Json.response(StatusCodes.OK, e.definition());
    if (reply instanceof NamespaceReply.Removed) return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    if (reply instanceof NamespaceReply.NotFound n) return notFound(n.name()).response();
    if (reply instanceof NamespaceReply.NotEmpty n) {
      return ApiError.of(StatusCodes.CONFLICT, "namespace_not_empty",
          "namespace '" + n.name() + "' still holds keys; delete them first").response();
    }
    if (reply instanceof NamespaceReply.BuiltIn b) {
      return ApiError.of(StatusCodes.CONFLICT, "namespace_built_in",
          "namespace '" + b.name() + "' is built in and cannot be removed").response();
    }
    if (reply instanceof NamespaceReply.Unsupported u) {
      return ApiError.badRequest("unsupported_mode", u.message()).response();
    }
    throw new IllegalStateException("unexpected reply " + reply);
  }
}
