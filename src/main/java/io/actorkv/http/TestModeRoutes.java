package io.actorkv.http;

import io.actorkv.cluster.NetworkFaults;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /test/v1/blackhole?peer=host:port}: POST cuts traffic in both
 * directions between this node and the peer, DELETE heals it. Lets a
 * fault-injection harness partition node processes on one machine without
 * root. Bound only in test mode ({@code actorkv.test-mode}); otherwise these
 * paths are unknown (404). Partitioning needs the call on both nodes.
 */
final class TestModeRoutes extends ApiDirectives {

  private final NetworkFaults faults;

  TestModeRoutes(NetworkFaults faults) {
    this.faults = faults;
  }

  Route route() {
    return pathPrefix("test", () -> pathPrefix("v1", () -> path("blackhole", () -> parameterOptional("peer", peer ->
        extractRequest(request -> concat(
            post(() -> respond(request, false, id -> change(peer, faults::blackhole))),
            delete(() -> respond(request, false, id -> change(peer, faults::heal)))))))));
  }

  private static CompletionStage<HttpResponse> change(Optional<String> peer,
                                                      Function<Address, CompletionStage<Void>> command) {
    return command.apply(peerAddress(peer)).thenApply(done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  private static Address peerAddress(Optional<String> peer) {
    String given = peer.orElseThrow(() -> ApiError.badRequest("bad_peer",
        "the query parameter 'peer' is missing: give the peer's remote address as host:port"));
    try {
      return NetworkFaults.peerAddress(given);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_peer", "bad peer: " + e.getMessage()).with("peer", given);
    }
  }
}
