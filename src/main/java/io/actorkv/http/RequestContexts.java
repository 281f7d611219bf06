package io.actorkv.http;

import io.actorkv.base.Ticker;
import io.actorkv.store.Principal;
import io.actorkv.store.RequestContext;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Where a request becomes a {@link RequestContext}: its id (the client's
 * {@code X-Request-Id} if it sent a usable one, else one of ours, unique on
 * this node), the principal it acts for (anonymous until authentication
 * exists) and its deadline.
 */
final class RequestContexts {

  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final Pattern USABLE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  /** Tells this node's ids from another's, and from the previous run's. */
  private static final String NODE_PREFIX = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
  private static final AtomicLong NEXT = new AtomicLong();

  private final Principal anonymous;
  private final Ticker ticker;
  private final Duration timeout;

  RequestContexts(Principal anonymous, Ticker ticker, Duration timeout) {
    this.anonymous = anonymous;
    this.ticker = ticker;
    this.timeout = timeout;
  }

  /** The request's id, read (or made) once per request. */
  static String requestId(HttpRequest request) {
    return request.getHeader(REQUEST_ID_HEADER).map(HttpHeader::value)
        .filter(id -> USABLE_ID.matcher(id).matches())
        .orElseGet(() -> NODE_PREFIX + Long.toString(NEXT.incrementAndGet(), 36));
  }

  /** The context of a request whose input is complete: its answer is due within the request timeout. */
  RequestContext of(String requestId) {
    return RequestContext.of(requestId, anonymous, ticker, timeout);
  }
}
