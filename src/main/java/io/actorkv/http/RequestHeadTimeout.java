package io.actorkv.http;

import java.time.Duration;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Closes a connection that does not send a whole request head within
 * {@code timeout} of opening, or of its previous answer. One per connection,
 * in front of the routes. Pekko HTTP has no such bound: its idle timeout is
 * reset by every byte, so a client trickling one header byte at a time held a
 * connection for ever, and enough of them kept every other client out. A
 * keep-alive connection that sits idle this long is closed too.
 *
 * <p>Only the time when no request is in flight counts: from a request's
 * parsed head (its body is bounded by the routes' body timeouts) until its
 * answer is handed back, the connection is busy. A connection is checked
 * every quarter of the timeout, so it closes between one and one and a
 * quarter timeouts after it fell silent.
 * Completing the stage, rather than failing it, closes the connection without
 * an error answer of Pekko's. When the requests end, the answers' side stays
 * open until the answer in flight is out.
 */
final class RequestHeadTimeout extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {

  private final Inlet<HttpRequest> requestsIn = Inlet.create("RequestHeadTimeout.requestsIn");
  private final Outlet<HttpRequest> requestsOut = Outlet.create("RequestHeadTimeout.requestsOut");
  private final Inlet<HttpResponse> responsesIn = Inlet.create("RequestHeadTimeout.responsesIn");
  private final Outlet<HttpResponse> responsesOut = Outlet.create("RequestHeadTimeout.responsesOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(requestsIn, requestsOut, responsesIn, responsesOut);
  private final Duration timeout;
  private final Duration checkEvery;

  RequestHeadTimeout(Duration timeout) {
    this.timeout = timeout;
    this.checkEvery = timeout.dividedBy(4);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private static final String CHECK = "check";
      private boolean requestInFlight;
      /** When the connection opened or its last answer went out, on System.nanoTime's scale. */
      private long waitingSince = System.nanoTime();

      {
        setHandler(requestsIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            requestInFlight = true;
            push(requestsOut, grab(requestsIn));
          }

          // The requests end (the client closed, or its request stream failed) while an answer may
          // still be on its way back: end only the requests' side, or that answer is lost.
          @Override
          public void onUpstreamFinish() {
            complete(requestsOut);
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            fail(requestsOut, failure);
          }
        });
        setHandler(requestsOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestsIn);
          }
        });
        setHandler(responsesIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            requestInFlight = false;
            waitingSince = System.nanoTime();
            push(responsesOut, grab(responsesIn));
          }
        });
        setHandler(responsesOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(responsesIn);
          }
        });
      }

      /** One timer per connection, not one per request: a request's own timers cost more than this check. */
      @Override
      public void preStart() {
        scheduleWithFixedDelay(CHECK, checkEvery, checkEvery);
      }

      @Override
      public void onTimer(Object key) {
        if (!requestInFlight && System.nanoTime() - waitingSince >= timeout.toNanos()) completeStage();
      }
    };
  }
}
