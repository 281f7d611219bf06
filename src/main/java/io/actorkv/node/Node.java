package io.actorkv.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.ActorKvSettings;
import io.actorkv.eventual.EventualSettings;
import io.actorkv.eventual.EventualStore;
import io.actorkv.http.HttpApi;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.Namespaces;
import io.actorkv.strong.StrongStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One running ActorKV node: schema migrated, actor system up, cluster joined
 * (or formed), management and the HTTP API bound. {@link #close()} leaves the
 * cluster gracefully; the same happens on SIGTERM through CoordinatedShutdown.
 */
public final class Node implements AutoCloseable {

  public static final String SYSTEM_NAME = "actorkv";

  private final ActorSystem<Void> system;
  private final ServerBinding binding;

  private Node(ActorSystem<Void> system, ServerBinding binding) {
    this.system = system;
    this.binding = binding;
  }

  /** Starts a node from a fully layered configuration (see {@code io.actorkv.Main}). */
  public static Node start(Config config) {
    ActorKvSettings settings = ActorKvSettings.from(config);
    createDirectories(settings);
    JournalDatabase database = JournalDatabase.of(settings);
    database.migrate();

    Config full = database.pekkoConfig(settings.dbPoolSize())
        .withFallback(ConfigFactory.parseMap(Map.of("pekko.cluster.distributed-data.durable.lmdb.dir",
            settings.dataDir().resolve("eventual").toString())))
        .withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, full);
    try {
      joinCluster(system, settings.seeds());

      Clock clock = Clock.systemUTC();
      StrongStore store = StrongStore.start(system, clock, settings.snapshotEvery(), settings.requestTimeout());
      EventualSettings eventualSettings = EventualSettings.from(full);
      EventualStore eventual = new EventualStore(system, eventualSettings, clock);
      Namespaces namespaces = Namespaces.start(system, settings.requestTimeout(), clock,
          ns -> ns.mode() == Mode.EVENTUAL ? eventual.hasLiveKeys(ns) : store.hasLiveKeys(ns.name()));
      schedulePurge(system, eventualSettings.purgeInterval(), namespaces, eventual);
      Optional<NetworkFaults> faults = settings.testMode() ? Optional.of(NetworkFaults.of(system)) : Optional.empty();
      HttpApi api = new HttpApi(settings, eventualSettings, store, eventual, namespaces, new ClusterStatus(system),
          faults);
      ServerBinding binding = api.bind(system, settings.httpHost(), settings.httpPort())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      system.log().info("ActorKV HTTP API on http://{}:{}/v1, journal {}", settings.httpHost(),
          binding.localAddress().getPort(), database.vendor());
      // Last, so that management's /ready, which answers once this node is an Up member, is never
      // reached while nothing listens on the API yet.
      PekkoManagement.get(system.classicSystem()).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (settings.testMode()) {
        system.log().warn("TEST MODE: /test/v1/blackhole can cut this node off from its peers; never use in production");
      }
      return new Node(system, binding);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
    }
  }

  /** Every interval, drops expired values and old tombstones from this node's eventual replicas. */
  private static void schedulePurge(ActorSystem<?> system, Duration interval, Namespaces namespaces,
                                    EventualStore eventual) {
    system.scheduler().scheduleWithFixedDelay(interval, interval, () -> namespaces.list()
        .thenCompose(all -> CompletableFuture.allOf(all.stream()
            .filter(ns -> ns.mode() == Mode.EVENTUAL)
            .map(ns -> eventual.purge(ns).toCompletableFuture())
            .toArray(CompletableFuture[]::new)))
        .whenComplete((done, failure) -> {
          if (failure != null) system.log().warn("purging eventual namespaces failed; next try in {}", interval, failure);
        }), system.executionContext());
  }

  private static void createDirectories(ActorKvSettings settings) {
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
    }
  }

  /** With no seeds the node forms a cluster of its own; otherwise it joins through them. */
  private static void joinCluster(ActorSystem<?> system, List<String> seeds) {
    Cluster cluster = Cluster.get(system);
    if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    List<Address> addresses = seeds.stream()
        .map(seed -> AddressFromURIString.parse("pekko://" + SYSTEM_NAME + "@" + seed))
        .toList();
    cluster.manager().tell(new JoinSeedNodes(addresses));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Leaves the cluster, unbinds and stops, waiting up to {@code timeout}. */
  public void close(Duration timeout) {
    CoordinatedShutdown.get(system.classicSystem()).run(CoordinatedShutdown.unknownReason());
    try {
      system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop within " + timeout, e);
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(60));
  }
}
