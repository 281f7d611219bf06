package io.actorkv.client;

import static org.apache.pekko.http.javadsl.server.PathMatchers.remaining;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code actorkv http-ceiling}: Pekko HTTP serving PUT and GET of
 * {@code /v1/kv/{ns}/{key}} from a ConcurrentHashMap, nothing else. No
 * request path built on Pekko HTTP can be faster, so benchmarks report
 * ActorKV's throughput as a fraction of this one's. Not a store: nothing is
 * durable, nothing is checked.
 */
@Command(name = "http-ceiling", mixinStandardHelpOptions = true,
    header = "Serve keys from memory with Pekko HTTP: a benchmark's ceiling.",
    description = {"Serve PUT/GET /v1/kv/{ns}/{key} from memory with Pekko HTTP: the ceiling for benchmarks.",
        "Holds everything in memory and loses it on exit; not a store."})
public final class HttpCeilingCommand extends AllDirectives implements Callable<Integer> {

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Bind address (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--http-port", defaultValue = "8090", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  private final ConcurrentHashMap<String, ByteString> values = new ConcurrentHashMap<>();

  @Override
  public Integer call() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "http-ceiling", ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.defaultReference()));
    var binding = Http.get(system).newServerAt(host, port).bind(route()).toCompletableFuture().join();
    binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
    System.out.println("http-ceiling on http://" + host + ":" + binding.localAddress().getPort() + "/v1/kv/");
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  Route route() {
    return pathPrefix("v1", () -> pathPrefix("kv", () -> pathPrefix(segment(), ns -> path(remaining(), key -> {
      String id = ns + "|" + key;
      return concat(
          get(() -> {
            ByteString v = values.get(id);
            return v == null ? complete(StatusCodes.NOT_FOUND)
                : complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, v)));
          }),
          put(() -> extractStrictEntity(Duration.ofSeconds(5), entity -> {
            boolean created = values.put(id, entity.getData()) == null;
            return complete(created ? StatusCodes.CREATED : StatusCodes.OK);
          })));
    }))));
  }
}
