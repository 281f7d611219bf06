package io.actorkv.http;

import io.actorkv.Stages;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
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
   * Completes with the work's response, or its failure as a JSON error.
   * {@code write} says whether the request could change data, which decides
   * what a timeout tells the client.
   */
  protected Route respond(boolean write, Supplier<CompletionStage<HttpResponse>> work) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = work.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(stage.exceptionally(failure -> ApiError.from(failure, write).response()));
  }
}
