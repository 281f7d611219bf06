package io.actorkv.http;

import io.actorkv.base.NotStored;
import io.actorkv.base.Stages;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.KeyIndex;
import io.actorkv.store.ReplicasUnavailable;
import io.actorkv.store.RequestId;
import io.actorkv.store.ValueUnreadable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error type of the API: a status, a stable machine-readable code, a
 * message for people and optional details, rendered as
 * {@code {"error": code, "message": text, ...details}}. The errors more than
 * one route answers are built here.
 */
final class ApiError extends RuntimeException {

  private static final Logger log = LoggerFactory.getLogger(ApiError.class);

  final StatusCode status;
  final String code;
  final Map<String, Object> details;
  final Integer retryAfterSeconds;

  private ApiError(StatusCode status, String code, String message, Map<String, Object> details,
                   Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static ApiError of(StatusCode status, String code, String message) {
    return new ApiError(status, code, message, Map.of(), null);
  }

  static ApiError badRequest(String code, String message) {
    return of(StatusCodes.BAD_REQUEST, code, message);
  }

  static ApiError notReady() {
    return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "not_ready",
        "this node is not yet (or no longer) an Up member of the cluster; retry shortly", Map.of(), 1);
  }

  static ApiError keyNotFound() {
    return of(StatusCodes.NOT_FOUND, "key_not_found", "no such key (never written, deleted or expired)");
  }

  static ApiError namespaceNotFound(String name) {
    return of(StatusCodes.NOT_FOUND, "namespace_not_found", "namespace '" + name + "' does not exist")
        .with("namespace", name);
  }

  /** The namespace was shredded: nothing it held can be read, and nothing can be written there. */
  static ApiError shredded(String name) {
    return of(StatusCodes.GONE, "shredded", "namespace '" + name + "' was shredded: its data key is destroyed, "
        + "so none of its values or history can be read again").with("namespace", name);
  }

  /** {@code existing} is "counter" or "value": what the key holds, which the request does not fit. */
  static ApiError wrongKind(String existing) {
    return of(StatusCodes.CONFLICT, "wrong_kind", existing.equals("counter")
            ? "the key holds a counter: use POST .../increment, or delete it first"
            : "the key holds a value, not a counter: delete it first to use it as a counter")
        .with("holds", existing);
  }

  static ApiError counterOverflow() {
    return of(StatusCodes.CONFLICT, "counter_overflow",
        "the counter would leave the range of a 64-bit integer; nothing was changed");
  }

  /** A transaction holds a key longer than the request waited ({@code KeyOutcome.KeyLocked}). */
  static ApiError keyLocked(long retryAfterSeconds) {
    return new ApiError(StatusCodes.CONFLICT, "key_locked", "a key is held by a transaction; nothing was read or "
        + "changed. Retry after the time Retry-After gives", Map.of(), (int) Math.max(1, retryAfterSeconds));
  }

  ApiError with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(details);
    more.put(name, value);
    return new ApiError(status, code, getMessage(), more, retryAfterSeconds);
  }

  HttpResponse response() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", getMessage());
    body.putAll(details);
    HttpResponse response = Json.response(status, body);
    return retryAfterSeconds == null ? response : response.addHeader(RetryAfter.create(retryAfterSeconds.longValue()));
  }

  /**
   * Maps any failure of a request to its error. {@code write} says whether the
   * request could have changed data, which decides what a timeout means;
   * {@code requestId} goes into the log line of an unexpected failure.
   */
  static ApiError from(Throwable failure, boolean write, RequestId requestId) {
    Throwable cause = Stages.rootCause(failure);
    if (cause instanceof ApiError e) return e;
    if (cause instanceof EntityStreamSizeException size) {
      return of(StatusCodes.PAYLOAD_TOO_LARGE, "value_too_large",
          "the request body exceeds the limit of " + size.limit() + " bytes; nothing was stored")
          .with("limit", size.limit());
    }
    if (cause instanceof EntityStreamException malformed) return Bodies.malformedBody(malformed);
    if (cause instanceof ValueUnreadable unreadable) {
      if (unreadable.shredded()) {
        return of(StatusCodes.GONE, "shredded", unreadable.getMessage() + "; nothing was changed");
      }
      log.error("request {}: {}", requestId, unreadable.getMessage());
      return of(StatusCodes.INTERNAL_SERVER_ERROR, "value_unreadable", unreadable.getMessage()
          + "; nothing was changed").with("requestId", requestId.toString());
    }
    if (cause instanceof ReplicasUnavailable unavailable) {
      return of(StatusCodes.SERVICE_UNAVAILABLE, "replicas_unavailable", unavailable.getMessage()
          + (unavailable.mayHaveApplied() ? "; the write is in this node's memory and may reach other replicas, "
              + "but this node's copy is lost if it stops" : "; nothing was changed"))
          .with("mayHaveApplied", unavailable.mayHaveApplied());
    }
    if (cause instanceof NotStored notStored) {
      return of(StatusCodes.SERVICE_UNAVAILABLE, "journal_unavailable", notStored.getMessage()
          + (notStored.mayBeStored() ? "; the write may or may not have been applied: read the key to find out, or "
              + "send it again with the same Idempotency-Key" : "; nothing was changed: try again"))
          .with("mayHaveApplied", notStored.mayBeStored());
    }
    if (cause instanceof ChangeLog.Unavailable) {
      return of(StatusCodes.SERVICE_UNAVAILABLE, "journal_unavailable",
          "the journal's database did not answer; nothing was changed: try again").with("mayHaveApplied", false);
    }
    if (cause instanceof KeyIndex.Behind behind) {
      return of(StatusCodes.GATEWAY_TIMEOUT, "timeout", behind.getMessage() + "; nothing was changed: try again")
          .with("mayHaveApplied", false);
    }
    if (cause instanceof TimeoutException) {
      log.debug("request {} timed out", requestId);
      return write
          ? of(StatusCodes.GATEWAY_TIMEOUT, "timeout",
              "the key's owner did not answer in time; the write may or may not have been applied: "
                  + "read the key to find out, or send it again with the same Idempotency-Key (strong namespaces)")
              .with("mayHaveApplied", true)
          : of(StatusCodes.GATEWAY_TIMEOUT, "timeout",
              "the key's owner did not answer in time; nothing was changed").with("mayHaveApplied", false);
    }
    log.error("request {} failed unexpectedly", requestId, cause);
    return of(StatusCodes.INTERNAL_SERVER_ERROR, "internal",
        "the server failed to handle the request" + (write ? "; the write may or may not have been applied" : ""))
        .with("requestId", requestId.toString());
  }
}
