package io.actorkv.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.actorkv.namespace.Conflicts;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.NamespaceReply;
import io.actorkv.namespace.Namespaces;
import io.actorkv.security.Permission;
import java.io.IOException;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/namespaces}: list, create, show, remove and shred namespaces. */
final class NamespaceRoutes extends ApiDirectives {

  private static final long MAX_DEFINITION_BYTES = 64 * 1024;

  /**
   * The body of {@code PUT /v1/namespaces/{ns}}; an empty body means a strong
   * namespace. The other fields are for eventual namespaces only.
   */
  record Request(Mode mode, Conflicts conflicts, Level write, Level read, String ttl, Integer buckets,
                 JsonNode history) {}

  private final Namespaces namespaces;
  private final Guard guard;
  private final Bodies bodies;
  private final int defaultBuckets;

  NamespaceRoutes(Namespaces namespaces, Guard guard, Bodies bodies, int defaultBuckets) {
    this.namespaces = namespaces;
    this.guard = guard;
    this.bodies = bodies;
    this.defaultBuckets = defaultBuckets;
  }

  /**
   * The list shows the namespaces the caller has a grant in; showing one
   * takes such a grant, creating or removing one admin on all of it.
   */
  Route route() {
    return pathPrefix("namespaces", () -> concat(
        pathEnd(() -> get(() -> guard.authorized(access -> true, "", access -> extractRequest(request ->
            respond(request, false, id -> namespaces.list().thenApply(all -> Json.response(StatusCodes.OK,
                Map.of("namespaces", all.stream().filter(d -> access.seesNamespace(d.name())).toList())))))))),
        namespaceSegment(name -> concat(
            get(() -> guard.authorized(access -> access.seesNamespace(name), "a grant in namespace '" + name + "'",
                access -> extractRequest(request -> respond(request, false, id ->
                    namespaces.find(KvInput.namespace(name)).thenApply(found -> found.map(d ->
                            Json.response(StatusCodes.OK, d))
                        .orElseGet(() -> ApiError.namespaceNotFound(name).response())))))),
            put(() -> guard.authorized(Permission.ADMIN, name, () -> extractRequestContext(ctx ->
                respond(ctx.getRequest(), true, id -> {
                  String ns = KvInput.namespace(name);
                  return bodies.read(ctx.getRequest().entity(), ctx.getMaterializer(), MAX_DEFINITION_BYTES)
                      .thenCompose(body -> namespaces.create(definition(ns, parse(body))))
                      .thenApply(NamespaceRoutes::toResponse);
                })))),
            delete(() -> guard.authorized(Permission.ADMIN, name, () -> extractRequest(request ->
                respond(request, true, id -> {
                  String ns = KvInput.namespace(name);
                  return KvInput.flag("shred", KvInput.parameter(request.getUri().query(), "shred"))
                      ? namespaces.shred(ns).thenApply(NamespaceRoutes::shredResponse)
                      : namespaces.remove(ns).thenApply(NamespaceRoutes::toResponse);
                }))))))));
  }

  private static final String EXPECTED = "expected {\"mode\": \"strong\", \"history\": \"all\"|n} or "
      + "{\"mode\": \"eventual\", "
      + "\"conflicts\": \"lww\"|\"siblings\", \"write\": level, \"read\": level, \"ttl\": \"30s\", \"buckets\": n}";

  private static Request parse(byte[] body) {
    if (body.length == 0) return new Request(null, null, null, null, null, null, null);
    try {
      Request request = Json.read(body, Request.class);
      if (request == null) throw ApiError.badRequest("bad_namespace_definition", EXPECTED + ", not null");
      return request;
    } catch (JsonMappingException e) {
      throw ApiError.badRequest("bad_namespace_definition", EXPECTED + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("bad_namespace_definition", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("bad_namespace_definition", "the body is not valid JSON");
    }
  }

  /** The requested definition with the defaults filled in; its creation time is set when it is stored. */
  private NamespaceDefinition definition(String name, Request r) {
    if (r.mode() == null || r.mode() == Mode.STRONG) {
      if (r.conflicts() != null || r.write() != null || r.read() != null || r.ttl() != null || r.buckets() != null) {
        throw ApiError.badRequest("bad_namespace_definition",
            "conflicts, write, read, ttl and buckets apply to eventual namespaces only");
      }
      try {
        return NamespaceDefinition.strong(name, null, history(r.history()));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("bad_namespace_definition", e.getMessage());
      }
    }
    if (r.history() != null && !r.history().isNull()) {
      throw ApiError.badRequest("bad_namespace_definition", "history applies to strong namespaces only: "
          + "eventual namespaces keep no revisions");
    }
    try {
      return NamespaceDefinition.eventual(name, null,
          r.conflicts() == null ? Conflicts.LWW : r.conflicts(),
          r.write() == null ? Level.MAJORITY : r.write(),
          r.read() == null ? Level.LOCAL : r.read(),
          r.ttl(),
          r.buckets() == null ? defaultBuckets : r.buckets());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_namespace_definition", e.getMessage());
    }
  }

  /**
   * {@code "history": "all"} (or absent), or a number of revisions. Pekko
   * Persistence deletes a key's events by count, behind a snapshot, so a
   * retention by age is refused rather than pretended.
   */
  private static Integer history(JsonNode given) {
    if (given == null || given.isNull() || (given.isTextual() && given.asText().equals("all"))) return null;
    if (given.isIntegralNumber() && given.canConvertToInt()) return given.asInt();
    if (given.isTextual() && given.asText().matches("[0-9]+(ms|s|m|h|d)")) {
      throw ApiError.badRequest("bad_namespace_definition", "history by age (" + given.asText() + ") is not "
          + "supported: the journal deletes a key's events by count, behind a snapshot; give a number of revisions");
    }
    throw ApiError.badRequest("bad_namespace_definition", "history must be \"all\" or a number of revisions, not "
        + given);
  }

  /** What {@code DELETE ?shred=true} answers: 204 once shredded (also when it was before), else as a removal. */
  private static HttpResponse shredResponse(NamespaceReply reply) {
    if (reply instanceof NamespaceReply.Shredded) return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    return toResponse(reply);
  }

  private static HttpResponse toResponse(NamespaceReply reply) {
    if (reply instanceof NamespaceReply.Created c) return Json.response(StatusCodes.CREATED, c.definition());
    if (reply instanceof NamespaceReply.AlreadyExists e) return Json.response(StatusCodes.OK, e.definition());
    if (reply instanceof NamespaceReply.Removed) return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    if (reply instanceof NamespaceReply.NotFound n) return ApiError.namespaceNotFound(n.name()).response();
    if (reply instanceof NamespaceReply.Shredded s) return ApiError.shredded(s.definition().name()).response();
    if (reply instanceof NamespaceReply.CannotShred c) {
      return ApiError.of(StatusCodes.CONFLICT, "cannot_shred", "namespace '" + c.name() + "' cannot be shredded: "
          + c.reason()).with("namespace", c.name()).response();
    }
    if (reply instanceof NamespaceReply.NotEmpty n) {
      return ApiError.of(StatusCodes.CONFLICT, "namespace_not_empty",
          "namespace '" + n.name() + "' still holds keys; delete them first").response();
    }
    if (reply instanceof NamespaceReply.BuiltIn b) {
      return ApiError.of(StatusCodes.CONFLICT, "namespace_built_in",
          "namespace '" + b.name() + "' is built in and cannot be removed").response();
    }
    if (reply instanceof NamespaceReply.Conflicting c) {
      return ApiError.of(StatusCodes.CONFLICT, "namespace_exists",
              "namespace '" + c.existing().name() + "' exists with a different definition; definitions never change")
          .with("existing", c.existing()).response();
    }
    throw new IllegalStateException("unexpected reply " + reply);
  }
}
