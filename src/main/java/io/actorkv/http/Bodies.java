package io.actorkv.http;

import io.actorkv.base.Stages;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Receives request bodies. Receiving is the client's time, not the store's:
 * a body that stops arriving for {@code idleTimeout}, or is not complete
 * within {@code timeout}, answers 408 and nothing is stored, while a slow
 * body that keeps coming may take up to {@code timeout}. A malformed body
 * (a bad chunk, a connection cut mid-body) answers 400; one over the limit,
 * 413 while it streams in.
 */
final class Bodies {

  private final Duration idleTimeout;
  private final Duration timeout;

  Bodies(Duration idleTimeout, Duration timeout) {
    this.idleTimeout = idleTimeout;
    this.timeout = timeout;
  }

  CompletionStage<byte[]> read(RequestEntity entity, Materializer mat, long limit) {
    CompletionStage<byte[]> bytes;
    if (entity instanceof HttpEntity.Strict strict) {
      // The whole body came with the head: nothing to wait for.
      bytes = Stages.direct(entity.withSizeLimit(limit).toStrict(timeout.toMillis(), mat))
          .thenApply(all -> all.getData().toArray());
    } else {
      bytes = Stages.direct(entity.withSizeLimit(limit).getDataBytes()
              .idleTimeout(idleTimeout)
              .completionTimeout(timeout)
              .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), mat))
          .thenApply(ByteString::toArray);
    }
    return bytes.exceptionally(Bodies::refused);
  }

  private static byte[] refused(Throwable failure) {
    Throwable cause = Stages.rootCause(failure);
    if (cause instanceof TimeoutException) {
      throw ApiError.of(StatusCodes.REQUEST_TIMEOUT, "body_timeout",
              "the request body did not arrive in time; nothing was stored")
          .with("mayHaveApplied", false);
    }
    if (cause instanceof EntityStreamException malformed) throw malformedBody(malformed);
    throw failure instanceof CompletionException c ? c : new CompletionException(failure);
  }

  /** A body that is not valid HTTP framing: a bad chunk, or a connection that closed mid-body. */
  static ApiError malformedBody(EntityStreamException e) {
    return ApiError.badRequest("bad_body", "the request body is malformed (" + e.info().summary()
        + "); nothing was stored");
  }
}
