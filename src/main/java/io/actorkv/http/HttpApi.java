package io.actorkv.http;

import io.actorkv.base.Ticker;
import io.actorkv.cluster.ClusterStatus;
import io.actorkv.cluster.Drain;
import io.actorkv.cluster.NetworkFaults;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.metrics.Metrics;
import io.actorkv.namespace.Namespaces;
import io.actorkv.security.AccessControl;
import io.actorkv.security.Grant;
import io.actorkv.security.Permission;
import io.actorkv.security.Tokens;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.Principal;
import io.actorkv.store.RequestId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

/** The v1 API's routes, their error handling, and the server that binds them. */
public final class HttpApi extends AllDirectives {

  private final KvRoutes kv;
  private final NamespaceRoutes namespaceRoutes;
  private final FeedRoutes feedRoutes;
  private final BatchRoutes batchRoutes;
  private final TxnRoutes txnRoutes;
  private final AuthRoutes authRoutes;
  private final Guard guard;
  private final boolean insecure;
  private final ClusterStatus cluster;
  private final Optional<TestModeRoutes> testRoutes;
  private final Duration headerTimeout;
  private final Metrics metrics;

  /**
   * @param store the key-value store with every filter in front of it
   * @param changes the journal's changes, for the watch feed and the audit endpoint
   * @param defaultBuckets the buckets of a new eventual namespace whose definition names none
   * @param faults present only in test mode, and only then are the {@code /test/v1} routes bound
   * @param metrics where every request answered is counted and timed
   * @param tokens the verifier of bearer tokens; empty: authentication is off
   */
  public HttpApi(ActorKvSettings settings, ValueLimits limits, int defaultBuckets, KeyValueStore store,
                 ChangeLog changes, Namespaces namespaces, ClusterStatus cluster, Ticker ticker,
                 Optional<NetworkFaults> faults, Metrics metrics, Optional<Tokens> tokens, AccessControl access) {
    Bodies bodies = new Bodies(settings.bodyIdleTimeout(), settings.bodyTimeout());
    this.guard = new Guard(tokens, access, new Principal(settings.anonymousPrincipal()));
    RequestContexts contexts = new RequestContexts(guard, ticker, settings.requestTimeout());
    this.kv = new KvRoutes(store, namespaces, contexts, limits, bodies, settings.listingMaxResponseBytes());
    this.namespaceRoutes = new NamespaceRoutes(namespaces, guard, bodies, defaultBuckets);
    this.feedRoutes = new FeedRoutes(changes, new NamespaceLookup(namespaces), guard, settings.feedHeartbeat(),
        settings.requestTimeout());
    this.batchRoutes = new BatchRoutes(store, new NamespaceLookup(namespaces), contexts, limits, bodies,
        settings.batchMaxBytes(), settings.batchMaxInFlight());
    this.txnRoutes = new TxnRoutes(store, new NamespaceLookup(namespaces), contexts, bodies, batchRoutes,
        settings.batchMaxBytes());
    this.authRoutes = new AuthRoutes(access, guard, bodies);
    this.insecure = tokens.isEmpty() && settings.auth().insecure();
    this.headerTimeout = settings.headerTimeout();
    this.cluster = cluster;
    this.testRoutes = faults.map(TestModeRoutes::new);
    this.metrics = metrics;
  }

  /** While the node drains ({@link Drain}), every answer asks its client to close the connection. */
  private static final Connection CLOSE = Connection.create("close");

  /**
   * Binds and arranges for the server to stop taking requests when the node
   * shuts down. Each connection gets its own {@link RequestHeadTimeout} in
   * front of the routes.
   *
   * @param https present: the API serves HTTPS only, each connection's TLS engine from it
   */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port,
                                             Optional<HttpsConnectionContext> https) {
    Drain drain = Drain.get(system.classicSystem());
    Flow<HttpRequest, HttpResponse, NotUsed> routes = route().flow(system)
        .map(response -> drain.draining() ? response.addHeader(CLOSE) : response);
    Flow<HttpRequest, HttpResponse, NotUsed> guarded =
        BidiFlow.fromGraph(new RequestHeadTimeout(headerTimeout)).join(routes);
    ServerBuilder server = Http.get(system).newServerAt(host, port);
    return https.map(server::enableHttps).orElse(server).bindFlow(guarded)
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }

  /**
   * The handlers are built here, once: a directive's inner route is a
   * supplier called for every request, and building the rejection handler
   * there (mapping every one of Pekko's default cases) was about a tenth of
   * a GET's allocation.
   */
  Route route() {
    // Key routes check their path themselves (KvRoutes.dispatch): they read it anyway, and a directive
    // here would be objects made for every request on the hottest path.
    Route others = concat(
        namespaceRoutes.route(),
        feedRoutes.route(),
        batchRoutes.route(),
        txnRoutes.route(),
        authRoutes.route(),
        path("cluster", () -> get(() -> guard.authorized(Permission.ADMIN, Grant.ALL_NAMESPACES, () ->
            complete(Json.response(StatusCodes.OK, clusterDescription()))))));
    Route v1 = pathPrefix("v1", () -> guard.authenticated(() -> concat(kv.route(), unambiguous(others))));
    Route all = testRoutes.map(test -> concat(v1, unambiguous(test.route()))).orElse(v1);
    Route rejectionsHandled = handleRejections(rejections(), () -> all);
    Route exceptionsHandled = handleExceptions(exceptions(), () -> rejectionsHandled);
    Route measured = measured(exceptionsHandled);
    return withRequestTimeoutResponse(HttpApi::requestTimedOut, () -> measured);
  }

  /** What {@code GET /v1/cluster} shows: the members, and a warning while the node serves without authentication. */
  private Map<String, Object> clusterDescription() {
    Map<String, Object> description = cluster.describe();
    if (insecure) description.put("warning", INSECURE_WARNING);
    return description;
  }

  /** Logged at start and shown by {@code GET /v1/cluster} on a node started with {@code --insecure}. */
  public static final String INSECURE_WARNING = "INSECURE: this node serves without authentication beyond "
      + "loopback (--insecure); anyone who reaches it may read, change and delete everything. See docs/security.md";

  /**
   * {@code route}, each answer counted and timed (from the request's head to
   * its answer) by route template, and every error answer given the
   * request's id ({@link RequestContexts#identifiedIfError}).
   */
  private Route measured(Route route) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        metrics.httpRequest(routeTemplate(request), request.method().name(), response.status().intValue(),
            System.nanoTime() - start);
        return RequestContexts.identifiedIfError(response, request);
      }, () -> route);
    });
  }

  /** The route a request is for, as a template: a label with few values, whatever paths clients send. */
  static String routeTemplate(HttpRequest request) {
    String path = request.getUri().path();
    boolean post = request.method().equals(HttpMethods.POST);
    if (path.startsWith("/v1/kv/")) {
      if (post && path.endsWith("/increment")) return "/v1/kv/{namespace}/{key}/increment";
      if (post && path.endsWith("/revert")) return "/v1/kv/{namespace}/{key}/revert";
      return path.indexOf('/', "/v1/kv/".length()) < 0 ? "/v1/kv/{namespace}" : "/v1/kv/{namespace}/{key}";
    }
    if (path.startsWith("/v1/history/")) return "/v1/history/{namespace}/{key}";
    if (path.startsWith("/v1/watch/")) return "/v1/watch/{namespace}";
    if (path.startsWith("/v1/audit/")) return "/v1/audit/{namespace}";
    if (path.equals("/v1/namespaces")) return "/v1/namespaces";
    if (path.startsWith("/v1/namespaces/")) return "/v1/namespaces/{name}";
    if (path.equals("/v1/cluster")) return "/v1/cluster";
    if (path.equals("/v1/batch")) return "/v1/batch";
    if (path.equals("/v1/txn")) return "/v1/txn";
    if (path.startsWith("/v1/auth/")) return "/v1/auth";
    if (path.startsWith("/test/v1/")) return "/test/v1/blackhole";
    return "unmatched";
  }

  /** {@code route} for targets with no dot segment and only UTF-8 escapes; others answer 400 ({@link RawPath}). */
  private Route unambiguous(Route route) {
    return headerValueByName("Raw-Request-URI", raw -> RawPath.hasDotSegment(RawPath.of(raw))
        ? complete(BAD_PATH.response())
        : RawPath.escapesAreUtf8(raw) ? route : complete(BAD_ESCAPE.response()));
  }

  static final ApiError BAD_ESCAPE = ApiError.badRequest("bad_encoding",
      "the request's path or query has percent-escapes that are not UTF-8 (such as %FF); nothing was changed");

  static final ApiError BAD_PATH = ApiError.badRequest("bad_path",
      "the path has a '.' or '..' segment, which clients and proxies resolve differently; nothing was changed. "
          + "Send a key's dots percent-encoded with the slashes around them (%2F..%2F)");

  /** Pekko HTTP's own request timeout (pekko.http.server.request-timeout), past every timeout of ours. */
  private static HttpResponse requestTimedOut(HttpRequest request) {
    boolean read = request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD);
    return RequestContexts.identifiedIfError(ApiError.of(StatusCodes.SERVICE_UNAVAILABLE, "server_timeout",
            "the node did not answer in time" + (read ? "; nothing was changed"
                : "; the write may or may not have been applied: read the key to find out"))
        .with("mayHaveApplied", !read).response(), request);
  }



  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> extractRequest(request -> {
          RequestId id = RequestContexts.requestId(request); // the one its log line names
          return complete(RequestContexts.withId(ApiError.from(failure, true, id).response(), id));
        }))
        .build();
  }

  /** Pekko's rejections (unknown path, wrong method, ...) with their text turned into our JSON errors. */
  private static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(HttpApi::asJsonError);
  }

  private static HttpResponse asJsonError(HttpResponse response) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)
        || strict.getContentType().mediaType().isApplication()) {
      return response;
    }
    String code = switch (response.status().intValue()) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "value_too_large";
      case 415 -> "unsupported_media_type";
      default -> "http_" + response.status().intValue();
    };
    HttpResponse json = ApiError.of(response.status(), code, strict.getData().utf8String()).response();
    return json.addHeaders(response.getHeaders());
  }
}
