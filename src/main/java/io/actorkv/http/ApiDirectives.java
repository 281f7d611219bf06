package io.actorkv.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** What every route of the API shares: work that fails answers with its {@link ApiError}. */
abstract class ApiDirectives extends AllDirectives {

  /** The request's query parameters, parsed once for all of a route's optional parameters. */
  protected Route query(Function<Query, Route> inner) {
    return extractUri(uri -> inner.apply(uri.query()));
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
