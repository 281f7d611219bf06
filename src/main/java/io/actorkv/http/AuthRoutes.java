package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.actorkv.security.AccessControl;
import io.actorkv.security.AccessReply;
import io.actorkv.security.AccessRules;
import io.actorkv.security.Binding;
import io.actorkv.security.Grant;
import io.actorkv.security.Permission;
import io.actorkv.store.Principal;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/auth}: who the caller is ({@code whoami}, for anyone), and the
 * access rules, which only an admin of every namespace may read or change:
 * roles ({@code /roles/{name}}), the bindings of subjects and claimed
 * roles to roles ({@code /bindings/subject/{sub}}, {@code /bindings/claim/{value}}),
 * and the revocations of subjects' older tokens ({@code /revocations/{sub}}).
 */
final class AuthRoutes extends ApiDirectives {

  private static final long MAX_BODY_BYTES = 64 * 1024;

  /** The body of {@code PUT /v1/auth/roles/{name}}. */
  record RoleRequest(List<Grant> grants) {
    RoleRequest {
      Objects.requireNonNull(grants, "grants is missing");
    }
  }

  /** The body of {@code PUT /v1/auth/revocations/{sub}}, which may be empty: revoke what was issued until now. */
  record RevocationRequest(Instant before) {}

  /** The body of {@code PUT /v1/auth/bindings/{kind}/{name}}. */
  record BindingRequest(List<String> roles) {
    BindingRequest {
      Objects.requireNonNull(roles, "roles is missing");
    }
  }

  private final AccessControl control;
  private final Guard guard;
  private final Bodies bodies;

  AuthRoutes(AccessControl control, Guard guard, Bodies bodies) {
    this.control = control;
    this.guard = guard;
    this.bodies = bodies;
  }

  Route route() {
    return pathPrefix("auth", () -> concat(
        path("whoami", () -> get(() -> guard.authorized(access -> true, "", access -> extractRequest(request ->
            respond(request, false, id -> {
              Principal principal = guard.principal(request);
              return control.rolesOf(principal).thenApply(roles -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("subject", principal.name());
                body.put("claimedRoles", principal.claimedRoles());
                body.put("roles", guard.enabled() ? roles : List.of());
                body.put("grants", access.grants());
                body.put("authentication", guard.enabled());
                return Json.response(StatusCodes.OK, body);
              });
            }))))),
        admin(() -> concat(roles(), bindings(), revocations()))));
  }

  private Route admin(Supplier<Route> inner) {
    return guard.authorized(Permission.ADMIN, Grant.ALL_NAMESPACES, inner);
  }

  private Route roles() {
    return pathPrefix("roles", () -> concat(
        pathEnd(() -> get(() -> listing(rules -> Map.of("revision", rules.revision(),
            "roles", List.copyOf(rules.roles().values()))))),
        path(segment(), name -> concat(
            // The built-in root too: PUT and DELETE of it answer role_built_in, so GET shows what it is.
            get(() -> found(rules -> Optional.ofNullable(rules.role(name)), "role '" + name + "'")),
            put(() -> change((body, by) -> control.defineRole(name, parse(body, RoleRequest.class).grants(), by))),
            delete(() -> change((body, by) -> control.removeRole(name, by)))))));
  }

  private Route bindings() {
    return pathPrefix("bindings", () -> concat(
        pathEnd(() -> get(() -> listing(rules -> Map.of("revision", rules.revision(),
            "bindings", List.copyOf(rules.bindings().values()))))),
        path(segment().slash(segment()), (kind, name) -> {
          Binding.Kind k;
          try {
            k = Binding.Kind.parse(kind);
          } catch (IllegalArgumentException e) {
            return complete(ApiError.badRequest("bad_binding", e.getMessage()
                + ": /v1/auth/bindings/subject/{sub} or /v1/auth/bindings/claim/{value}").response());
          }
          return concat(
              get(() -> found(rules -> rules.bindings().values().stream()
                  .filter(b -> b.kind() == k && b.name().equals(name)).findFirst(), kind + " '" + name + "'")),
              put(() -> change((body, by) -> control.bind(k, name, parse(body, BindingRequest.class).roles(), by))),
              delete(() -> change((body, by) -> control.unbind(k, name, by))));
        })));
  }

  private Route revocations() {
    return pathPrefix("revocations", () -> concat(
        pathEnd(() -> get(() -> listing(rules -> Map.of("revision", rules.revision(),
            "revocations", List.copyOf(rules.revocations().values()))))),
        path(segment(), subject -> concat(
            get(() -> found(rules -> rules.revocationOf(subject), "revocation of subject '" + subject + "'")),
            put(() -> change((body, by) -> control.revoke(subject, body.length == 0 ? Optional.empty()
                : Optional.ofNullable(parse(body, RevocationRequest.class).before()), by))),
            delete(() -> change((body, by) -> control.liftRevocation(subject, by)))))));
  }

  private Route listing(Function<AccessRules, Object> body) {
    return extractRequest(request -> respond(request, false, id -> control.rules()
        .thenApply(rules -> Json.response(StatusCodes.OK, body.apply(rules)))));
  }

  private Route found(Function<AccessRules, Optional<?>> find, String what) {
    return extractRequest(request -> respond(request, false, id -> control.rules().thenApply(rules -> find.apply(rules)
        .map(item -> Json.response(StatusCodes.OK, item))
        .orElseGet(() -> notFound(what).response()))));
  }

  /** A change, recorded as made by the request's principal; {@code work} gets the body and the principal. */
  private Route change(BiFunction<byte[], Principal, CompletionStage<AccessReply>> work) {
    return extractRequestContext(ctx -> respond(ctx.getRequest(), true, id -> {
      Principal by = guard.principal(ctx.getRequest());
      return bodies.read(ctx.getRequest().entity(), ctx.getMaterializer(), MAX_BODY_BYTES)
          .thenCompose(body -> {
            try {
              return work.apply(body, by);
            } catch (IllegalArgumentException | NullPointerException e) {
              throw ApiError.badRequest("bad_rule", e.getMessage());
            }
          })
          .thenApply(AuthRoutes::toResponse);
    }));
  }

  private static ApiError notFound(String what) {
    return ApiError.of(StatusCodes.NOT_FOUND, "not_found", "there is no " + what);
  }

  private static <T> T parse(byte[] body, Class<T> type) {
    String expected = type == RoleRequest.class
        ? "expected {\"grants\": [{\"permission\": \"read\"|\"write\"|\"admin\", \"namespace\": name or \"*\", "
            + "\"prefix\": \"...\"}, ...]}"
        : type == RevocationRequest.class ? "expected no body, or {\"before\": \"2026-12-06T15:00:00Z\"}"
        : "expected {\"roles\": [\"role\", ...]}";
    try {
      T parsed = Json.read(body, type);
      if (parsed == null) throw ApiError.badRequest("bad_rule", expected + ", not null");
      return parsed;
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      String why = cause instanceof IllegalArgumentException || cause instanceof NullPointerException
          ? cause.getMessage() : e.getOriginalMessage();
      throw ApiError.badRequest("bad_rule", expected + ": " + why);
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("bad_rule", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("bad_rule", "the body is not valid JSON");
    }
  }

  private static HttpResponse toResponse(AccessReply reply) {
    if (reply instanceof AccessReply.Stored s) {
      return Json.response(s.created() ? StatusCodes.CREATED : StatusCodes.OK, Map.of("created", s.created()));
    }
    if (reply instanceof AccessReply.Removed) return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    if (reply instanceof AccessReply.NotFound) return notFound("such role, binding or revocation").response();
    if (reply instanceof AccessReply.BuiltIn) {
      return ApiError.of(StatusCodes.CONFLICT, "role_built_in", "the root role is built in: it cannot be changed "
          + "or removed").response();
    }
    if (reply instanceof AccessReply.Full full) {
      return ApiError.of(StatusCodes.INSUFFICIENT_STORAGE, "rules_full", "the access rules would come to "
          + full.bytes() + " bytes, more than the " + full.limit() + " that one message to every node carries; "
          + "remove roles, bindings or revocations first; nothing was changed")
          .with("limit", full.limit()).response();
    }
    if (reply instanceof AccessReply.UnknownRoles u) {
      return ApiError.badRequest("unknown_roles", "no role is named " + u.roles() + "; define them first "
          + "(PUT /v1/auth/roles/{name})").with("roles", u.roles()).response();
    }
    throw new IllegalStateException("unexpected reply " + reply);
  }
}
