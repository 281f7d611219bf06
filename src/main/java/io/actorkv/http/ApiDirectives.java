package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.actorkv.store.RequestId;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** What every route of the API shares: work that fails answers with its {@link ApiError}. */
abstract class ApiDirectives extends AllDirectives {

  private static final String RAW_URI = "raw-request-uri";

  /** The request target as the client sent it (Pekko adds the header: raw-request-uri-header in http.conf). */
  static String rawUri(HttpRequest request) {
    for (var h : request.getHeaders()) {
      if (h.is(RAW_URI)) return h.value();
    }
    throw new IllegalStateException("no Raw-Request-URI header: pekko.http.server.raw-request-uri-header is off");
  }

  /**
   * {@code inner} with the namespace that the path's last segment names, as
   * the client sent it, not percent-decoded: a name is [a-z0-9_-], so an
   * escape in it fails the name's check (400 bad_namespace) instead of
   * naming the namespace a second way, as in /v1/kv/{namespace}/.
   */
  protected Route namespaceSegment(Function<String, Route> inner) {
    return path(segment(), decoded -> extractRequest(request -> {
      String raw = RawPath.of(rawUri(request));
      return inner.apply(raw.substring(raw.lastIndexOf('/') + 1));
    }));
  }

  /**
   * Completes with the work's result rendered, or its failure as a JSON
   * error. The request's id ({@link RequestContexts}) goes back in
   * {@code X-Request-Id} when the client gave one, and with every error.
   * {@code write} says whether the request could change data, which decides
   * what a timeout tells the client.
   */
  protected <T> Route respond(HttpRequest request, boolean write, Function<RequestId, CompletionStage<T>> work,
                              Function<T, HttpResponse> render) {
    RequestId requestId = RequestContexts.requestId(request);
    CompletionStage<T> stage;
    try {
      stage = work.apply(requestId);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(stage.handle((result, failure) -> {
      if (failure != null) {
        return RequestContexts.withId(ApiError.from(failure, write, requestId).response(), requestId);
      }
      HttpResponse response = render.apply(result);
      return requestId.isGiven() || response.status().intValue() >= 400
          ? RequestContexts.withId(response, requestId) : response;
    }));
  }

  /** {@link #respond} for work that makes its response itself. */
  protected Route respond(HttpRequest request, boolean write,
                          Function<RequestId, CompletionStage<HttpResponse>> work) {
    return respond(request, write, work, Function.identity());
  }
}
