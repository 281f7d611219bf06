package io.actorkv.http;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * How many characters of values (base64) one answer of a batch or a
 * transaction may still carry, so that a small request cannot make an
 * answer that runs the node out of memory. Once a result's values do not
 * fit, that result is {@code 413 response_too_large} instead, and no later
 * GET of the batch is made. Results share it from any thread.
 */
final class ValueBudget {
  private final long limit;
  private final AtomicLong left;
  private volatile boolean spent;
  /** The 413 result, made once: a batch may refuse hundreds of GETs with it. */
  private volatile Map<String, Object> tooLarge;

  ValueBudget(long limit) {
    this.limit = limit;
    this.left = new AtomicLong(limit);
  }

  /** Whether a result did not fit: a GET not yet made is not made. */
  boolean spent() {
    return spent;
  }

  /**
   * {@code result} if its values (a value, or siblings' values) fit in what
   * is left, which they then take; else a 413 result.
   */
  Map<String, Object> take(Map<String, Object> result) {
    long size = size(result);
    if (size == 0) return result;
    for (long now = left.get(); ; now = left.get()) {
      if (size > now) {
        spent = true;
        return tooLarge();
      }
      if (left.compareAndSet(now, now - size)) return result;
    }
  }

  private static long size(Map<String, Object> result) {
    long size = result.get("value") instanceof String value ? value.length() : 0;
    if (result.get("siblings") instanceof List<?> siblings) {
      for (Object sibling : siblings) {
        if (sibling instanceof Map<?, ?> s && s.get("value") instanceof String value) size += value.length();
      }
    }
    return size;
  }

  Map<String, Object> tooLarge() {
    Map<String, Object> made = tooLarge;
    if (made == null) {
      made = Collections.unmodifiableMap(BatchRoutes.result(ApiError.of(StatusCodes.PAYLOAD_TOO_LARGE, "response_too_large",
          "one answer carries at most " + limit + " characters of values (base64), and the results before this "
              + "one took them: read this key with a GET of its own").with("limit", limit).response()));
      tooLarge = made;
    }
    return made;
  }
}
