package io.actorkv.http;

import io.actorkv.security.Access;
import io.actorkv.security.AccessControl;
import io.actorkv.security.Grant;
import io.actorkv.security.Permission;
import io.actorkv.security.Revocation;
import io.actorkv.security.Tokens;
import io.actorkv.store.Principal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication and the access check of every route but the key routes
 * (whose check stands in front of the stores, security.Authorization).
 * {@link #authenticated} verifies the bearer token of each request and
 * leaves its principal on the request; {@link #authorized} is the one
 * directive with which a route says what it needs. Without token keys
 * every request acts for the anonymous principal and may do everything.
 */
final class Guard extends AllDirectives {

  static final AttributeKey<Principal> PRINCIPAL = AttributeKey.create("actorkv-principal", Principal.class);
  private static final AttributeKey<Tokens.VerifiedToken> TOKEN =
      AttributeKey.create("actorkv-token", Tokens.VerifiedToken.class);
  private static final String BEARER = "Bearer ";
  private static final String REALM = "Bearer realm=\"actorkv\"";

  private final Optional<Tokens> tokens;
  private final AccessControl control;
  private final Principal anonymous;

  Guard(Optional<Tokens> tokens, AccessControl control, Principal anonymous) {
    this.tokens = tokens;
    this.control = control;
    this.anonymous = anonymous;
  }

  boolean enabled() {
    return tokens.isPresent();
  }

  /** {@code inner} for a request with a valid token, its principal attached; 401 for any other. */
  Route authenticated(Supplier<Route> inner) {
    if (tokens.isEmpty()) return inner.get();
    Tokens verifier = tokens.get();
    return extractRequest(request -> {
      String token = bearerToken(request);
      if (token == null) {
        return complete(unauthorized("unauthorized", "send a token: Authorization: Bearer <JWT> (docs/security.md)",
            REALM));
      }
      Tokens.VerifiedToken verified;
      try {
        verified = verifier.verify(token);
      } catch (Tokens.InvalidToken e) {
        return invalidToken(e.getMessage());
      }
      Principal principal = verified.principal();
      Supplier<Route> accepted = () -> mapRequest(r -> r.addAttribute(PRINCIPAL, principal).addAttribute(TOKEN, verified),
          inner);
      Optional<Revocation> known = control.cachedRevocation(principal.name());
      if (known != null) return revokedOr(known, verified, accepted);
      return onSuccess(control.revocation(principal.name()), revocation -> revokedOr(revocation, verified, accepted));
    });
  }

  /** 401 if {@code revocation} refuses the token, else {@code accepted}. */
  private Route revokedOr(Optional<Revocation> revocation, Tokens.VerifiedToken token, Supplier<Route> accepted) {
    if (!revoked(revocation, token)) return accepted.get();
    return invalidToken("the tokens of subject '" + token.principal().name() + "' issued before "
        + revocation.get().before() + " are revoked" + (token.issuedAt().isEmpty() ? ", and this one has no iat" : ""));
  }

  private static boolean revoked(Optional<Revocation> revocation, Tokens.VerifiedToken token) {
    return revocation.isPresent() && revocation.get().refuses(token.issuedAt());
  }

  private Route invalidToken(String why) {
    return complete(unauthorized("invalid_token", "the token was refused: " + why,
        REALM + ", error=\"invalid_token\", error_description=\"" + why.replace('"', '\'') + "\""));
  }

  /** The bearer token; null without one. Two Authorization headers could mean either: 400 (KvInput.header). */
  private static String bearerToken(HttpRequest request) {
    Optional<String> header = KvInput.header(request, "Authorization");
    if (header.isEmpty()) return null;
    String value = header.get().trim();
    if (value.equalsIgnoreCase(BEARER.trim())) return "";
    return value.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? value.substring(BEARER.length()).trim() : null;
  }

  private static HttpResponse unauthorized(String code, String message, String challenge) {
    return ApiError.of(StatusCodes.UNAUTHORIZED, code, message).response()
        .addHeader(RawHeader.create("WWW-Authenticate", challenge));
  }

  /** Who the request acts for. */
  Principal principal(HttpRequest request) {
    return request.getAttribute(PRINCIPAL).orElse(anonymous);
  }

  /** What the request's principal may do. */
  CompletionStage<Access> access(HttpRequest request) {
    if (tokens.isEmpty()) return CompletableFuture.completedFuture(Access.ALL);
    Principal principal = principal(request);
    Access known = control.cachedAccess(principal);
    return known != null ? CompletableFuture.completedFuture(known) : control.access(principal);
  }

  /**
   * What the request's token allows now, for an answer that outlives the
   * request (a watch), asked again before each change it sends: empty once
   * the token has expired or been revoked. The rules are this node's, which
   * it has since it let the request in; its access shrinks with a role or a
   * binding taken away.
   */
  Optional<Access> accessNow(HttpRequest request) {
    if (tokens.isEmpty()) return Optional.of(Access.ALL);
    Tokens.VerifiedToken token = request.getAttribute(TOKEN).orElseThrow();
    if (!tokens.get().stillValid(token)) return Optional.empty();
    Optional<Revocation> revocation = control.cachedRevocation(token.principal().name());
    if (revocation == null || revoked(revocation, token)) return Optional.empty();
    return Optional.ofNullable(control.cachedAccess(token.principal()));
  }

  /** How long the request's token passes from now; empty without authentication. */
  Optional<Duration> validFor(HttpRequest request) {
    return tokens.map(verifier -> verifier.validFor(request.getAttribute(TOKEN).orElseThrow()));
  }

  /**
   * {@code inner}, given the principal's access, if {@code allowed} holds
   * for it; else 403 saying that the request needs {@code needed}.
   */
  Route authorized(Predicate<Access> allowed, String needed, Function<Access, Route> inner) {
    return extractRequest(request -> onSuccess(access(request), access -> allowed.test(access)
        ? inner.apply(access)
        : complete(forbidden(needed).response())));
  }

  /** {@link #authorized} for routes that need the permission on the whole namespace ({@code *}: every one). */
  Route authorized(Permission permission, String ns, Supplier<Route> inner) {
    return authorized(access -> access.permitsWhole(permission, ns), permission.value() + " on "
        + (ns.equals(Grant.ALL_NAMESPACES) ? "every namespace" : "all of namespace '" + ns + "'"), a -> inner.get());
  }

  static ApiError forbidden(String needed) {
    return ApiError.of(StatusCodes.FORBIDDEN, "forbidden", "this needs " + needed
        + ", which none of your roles grants (GET /v1/auth/whoami shows them)").with("needs", needed);
  }
}
