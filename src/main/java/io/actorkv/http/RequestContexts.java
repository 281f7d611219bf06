package io.actorkv.http;

import io.actorkv.base.Ticker;
import io.actorkv.store.RequestContext;
import io.actorkv.store.RequestId;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Where a request becomes a {@link RequestContext}: its id (the client's
 * {@code X-Request-Id} if it sent a usable one, else one of ours, unique on
 * this node), the principal it acts for (its token's, which {@link Guard}
 * left on the request; without authentication the anonymous one), its
 * deadline and, for writes, the client's idempotency key.
 */
final class RequestContexts {

  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final String REQUEST_ID_LOWER = "x-request-id";
  private static final Pattern USABLE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Guard guard;
  private final Ticker ticker;
  private final Duration timeout;

  RequestContexts(Guard guard, Ticker ticker, Duration timeout) {
    this.guard = guard;
    this.ticker = ticker;
    this.timeout = timeout;
  }

  /** The request's id, read (or made) once per request. */
  static RequestId requestId(HttpRequest request) {
    for (HttpHeader h : request.getHeaders()) {
      if (h.is(REQUEST_ID_LOWER) && USABLE_ID.matcher(h.value()).matches()) return RequestId.given(h.value());
    }
    return RequestId.next();
  }

  /** {@code response} carrying the request's id in {@code X-Request-Id}. */
  static HttpResponse withId(HttpResponse response, RequestId id) {
    return response.addHeader(RawHeader.create(REQUEST_ID_HEADER, id.toString()));
  }

  /**
   * An error answer with the request's id, for the answers no route gave it
   * ({@link ApiDirectives#respond} gives its own): an unknown path, a method
   * the path does not take, a missing token. Other answers as they are.
   */
  static HttpResponse identifiedIfError(HttpResponse response, HttpRequest request) {
    if (response.status().intValue() < 400 || response.getHeader(REQUEST_ID_LOWER).isPresent()) return response;
    return withId(response, requestId(request));
  }

  /** The context of a request whose input is complete: its answer is due within the request timeout. */
  RequestContext of(RequestId requestId, HttpRequest request) {
    return RequestContext.of(requestId, guard.principal(request), ticker, timeout);
  }

  /** The context of a write whose client may have sent an idempotency key ({@link KvInput#idempotencyKey}). */
  RequestContext of(RequestId requestId, HttpRequest request, Optional<String> idempotencyKey) {
    RequestContext context = of(requestId, request);
    return new RequestContext(context.requestId(), context.principal(), context.ticker(), context.deadline(),
        idempotencyKey);
  }
}
