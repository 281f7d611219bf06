package io.actorkv.http;

import io.actorkv.base.Stages;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/** What every route of the API shares: work that fails answers with its {@link ApiError}. */
abstract class ApiDirectives extends AllDirectives {

  /**
   * The request body's bytes, read within {@code timeout}; a body longer than
   * {@code limit} fails the stage, which answers 413.
   */
  protected static CompletionStage<byte[]> bytes(RequestEntity entity, Materializer mat, long limit,
                                                 Duration timeout) {
    return Stages.direct(entity.withSizeLimit(limit).toStrict(timeout.toMillis(), mat))
        .thenApply(strict -> strict.getData().toArray());
  }

  /**
   * Completes with the work's response, or its failure as a JSON error, and
   * the request's id ({@link RequestContexts}) in {@code X-Request-Id}.
   * {@code write} says whether the request could change data, which decides
   * what a timeout tells the client.
   */
  protected Route respond(HttpRequest request, boolean write, Function<String, CompletionStage<HttpResponse>> work) {
    String requestId = RequestContexts.requestId(request);
    CompletionStage<HttpResponse> stage;
    try {
      stage = work.apply(requestId);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    RawHeader id = RawHeader.create(RequestContexts.REQUEST_ID_HEADER, requestId);
    return completeWithFuture(stage.handle((response, failure) ->
        (failure == null ? response : ApiError.from(failure, write, requestId).response()).addHeader(id)));
  }
}
