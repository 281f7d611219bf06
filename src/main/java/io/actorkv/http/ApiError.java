package io.actorkv.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error type of the API: a status, a stable machine-readable code, a
 * message for people and optional details, rendered as
 * {@code {"error": code, "message": text, ...details}}.
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

  static ApiError notReady(String message) {
    return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "not_ready", message, Map.of(), 1);
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

  /** The failure inside the CompletionException wrappers that futures add. */
  static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Maps any failure of a request to its error. {@code write} says whether the
   * request could have changed data, which decides what a timeout means.
   */
  static ApiError from(Throwable failure, boolean write) {
    Throwable cause = rootCause(failure);
    if (cause instanceof ApiError e) return e;
    if (cause instanceof EntityStreamSizeException size) {
      return of(StatusCodes.PAYLOAD_TOO_LARGE, "value_too_large",
          "the request body exceeds the limit of " + size.limit() + " bytes; nothing was stored")
          .with("limit", size.limit());
    }
    if (cause instanceof TimeoutException) {
      return write
          ? of(StatusCodes.GATEWAY_TIMEOUT, "timeout",
              "the key's owner did not answer in time; the write may or may not have been applied: "
                  + "read the key to find out").with("mayHaveApplied", true)
          : of(StatusCodes.GATEWAY_TIMEOUT, "timeout",
              "the key's owner did not answer in time; nothing was changed").with("mayHaveApplied", false);
    }
    log.error("request failed unexpectedly", cause);
    return of(StatusCodes.INTERNAL_SERVER_ERROR, "internal",
        "the server failed to handle the request" + (write ? "; the write may or may not have been applied" : ""));
  }
}
