package io.actorkv.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request that Pekko HTTP's parser refuses before any route
 * sees it (malformed request line, unknown method, unsupported protocol
 * version, oversized or too many headers, a URI too long): the API's JSON
 * error, and never a 5xx, since the client sent it. Named in http.conf
 * ({@code pekko.http.server.parsing.error-handler}); Pekko makes one per
 * connection with this no-argument constructor. The connection is closed
 * after the answer.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    String message = error.summary().isEmpty() ? status.reason() : error.summary();
    return switch (code) {
      case 413 -> ApiError.of(StatusCodes.PAYLOAD_TOO_LARGE, "request_too_large", message).response();
      case 414 -> ApiError.of(StatusCodes.URI_TOO_LONG, "uri_too_long", message).response();
      case 431 -> ApiError.of(StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", message).response();
      // 501 (a method we do not know), 505 (a protocol version we do not speak) and every other
      // refusal of the parser: the request is malformed, which is the client's to fix.
      default -> ApiError.badRequest("bad_request", message).response();
    };
  }
}
