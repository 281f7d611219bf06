package io.actorkv.store;

import io.actorkv.base.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What travels with one request from the transport through every layer to
 * the store: who it acts for, when its answer is due, the client's
 * idempotency key (a slot no layer fills yet) and an id that its log lines
 * carry. Made once per request, where the request enters the node.
 *
 * @param deadline when the answer is due, on {@code ticker}'s scale
 */
public record RequestContext(RequestId requestId, Principal principal, Ticker ticker, long deadline,
                             Optional<String> idempotencyKey) {

  public RequestContext {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /** A request whose answer is due {@code timeout} from now. */
  public static RequestContext of(RequestId requestId, Principal principal, Ticker ticker, Duration timeout) {
    return new RequestContext(requestId, principal, ticker, ticker.nanoTime() + timeout.toNanos(), Optional.empty());
  }

  /** The time left until the deadline; zero once it has passed. */
  public Duration remaining() {
    long left = deadline - ticker.nanoTime();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }
}
