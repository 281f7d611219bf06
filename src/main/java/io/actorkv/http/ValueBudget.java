package io.actorkv.http;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * How many characters of values (base64) one answer of a batch or a
 * transaction may still carry. A thousand GETs of 1 MiB values in a 54 KB
 * batch made a 1.4 GB answer, and three such batches at once ran the node
 * out of memory; past the budget a GET's result is {@code 413
 * response_too_large} instead of its value, and the client reads that key
 * alone or in another batch. Results share it from any thread.
 */
final class ValueBudget {
  private final long limit;
  private final AtomicLong left;

  ValueBudget(long limit) {
    this.limit = limit;
    this.left = new AtomicLong(limit);
  }

  /** Whether nothing is left: a GET not yet made need not be. */
  boolean spent() {
    return left.get() <= 0;
  }

  /** {@code result} if its value fits in what is left, which it then takes; else a 413 result. */
  Map<String, Object> take(Map<String, Object> result) {
    if (!(result.get("value") instanceof String value)) return result;
    for (long now = left.get(); ; now = left.get()) {
      if (value.length() > now) return tooLarge();
      if (left.compareAndSet(now, now - value.length())) return result;
    }
  }

  Map<String, Object> tooLarge() {
    return BatchRoutes.result(ApiError.of(StatusCodes.PAYLOAD_TOO_LARGE, "response_too_large",
        "one answer carries at most " + limit + " characters of values (base64), and the results before this "
            + "one took them: read this key alone or in another request").with("limit", limit).response());
  }
}
