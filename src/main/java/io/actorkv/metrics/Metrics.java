package io.actorkv.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * A node's metrics: one Prometheus registry per actor system (several nodes
 * can share a JVM in tests, each counting its own), with the JVM's memory,
 * collections, threads and CPU, and the cluster's members as this node sees
 * them. The HTTP API and the key operations record into it through
 * {@link #httpRequest} and {@link KeyOperationMetrics}.
 */
public final class Metrics implements Extension {

  /** Member statuses as label values, in the order Pekko moves a member through them. */
  private static final MemberStatus[] STATUSES = {MemberStatus.joining(), MemberStatus.weaklyUp(), MemberStatus.up(),
      MemberStatus.shuttingDown(), MemberStatus.shutDown(), MemberStatus.leaving(),
      MemberStatus.exiting(), MemberStatus.down(), MemberStatus.removed()};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** The request timers made so far, so that a request's tags are not built and sorted again each time. */
  private final Map<HttpSeries, Timer> httpTimers = new ConcurrentHashMap<>();

  private record HttpSeries(String route, String method, int status) {}

  private Metrics(ExtendedActorSystem system) {
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    system.getWhenTerminated().thenRun(gc::close);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    bindCluster(Cluster.get(system));
  }

  public static Metrics get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public static Metrics get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(system.classicSystem());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Everything, in Prometheus' text format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * One HTTP request answered: {@code route} is the route's template (never
   * the path as sent, so the labels stay few), the status as sent.
   */
  public void httpRequest(String route, String method, int status, long nanos) {
    httpTimers.computeIfAbsent(new HttpSeries(route, method, status), s -> Timer.builder("actorkv.http.requests")
            .description("HTTP API requests by route, method and status")
            .tag("route", s.route()).tag("method", s.method()).tag("status", Integer.toString(s.status()))
            .publishPercentileHistogram()
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private final AtomicLong shardsHere = new AtomicLong();
  private final AtomicLong keysHere = new AtomicLong();
  private Set<String> shardsSeen;

  /**
   * What sharding hosts on this node now, by shard: the count of its active
   * keys. Called now and then ({@code actorkv.metrics.sharding-interval});
   * shards that came or left since the last call count as moved in or out,
   * so a shard that came and left between two calls is not counted.
   */
  public synchronized void shardsHere(Map<String, Integer> activeKeysByShard) {
    if (shardsSeen == null) {
      Gauge.builder("actorkv.sharding.shards", shardsHere, AtomicLong::get)
          .description("Shards of strong keys on this node").register(registry);
      Gauge.builder("actorkv.sharding.entities", keysHere, AtomicLong::get)
          .description("Strong keys active (in memory) on this node").register(registry);
      shardsSeen = Set.of();
    }
    Set<String> now = activeKeysByShard.keySet();
    long in = now.stream().filter(shard -> !shardsSeen.contains(shard)).count();
    long out = shardsSeen.stream().filter(shard -> !now.contains(shard)).count();
    Counter.builder("actorkv.sharding.moves").description("Shards that came to or left this node")
        .tag("direction", "in").register(registry).increment(in);
    Counter.builder("actorkv.sharding.moves").description("Shards that came to or left this node")
        .tag("direction", "out").register(registry).increment(out);
    shardsSeen = Set.copyOf(now);
    shardsHere.set(now.size());
    keysHere.set(activeKeysByShard.values().stream().mapToLong(Integer::longValue).sum());
  }

  /** Per eventual namespace: keys, bytes, largest bucket's bytes on this node. */
  private final Map<String, long[]> eventualSizes = new ConcurrentHashMap<>();

  /**
   * How large this node's replicas of an eventual namespace are (counted
   * every {@code actorkv.metrics.sharding-interval}): its keys, their
   * replicated bytes, and the largest bucket's bytes, which must stay under
   * what one replication message carries.
   */
  public void eventualNamespace(String namespace, long keys, long bytes, long largestBucketBytes) {
    long[] sizes = eventualSizes.computeIfAbsent(namespace, ns -> {
      long[] fresh = new long[3];
      Gauge.builder("actorkv.eventual.keys", fresh, a -> a[0]).tag("namespace", ns)
          .description("Keys in this node's replicas of an eventual namespace").register(registry);
      Gauge.builder("actorkv.eventual.bytes", fresh, a -> a[1]).tag("namespace", ns)
          .description("Replicated bytes of an eventual namespace on this node").register(registry);
      Gauge.builder("actorkv.eventual.bucket.bytes.max", fresh, a -> a[2]).tag("namespace", ns)
          .description("The largest bucket of an eventual namespace on this node, in bytes").register(registry);
      return fresh;
    });
    sizes[0] = keys;
    sizes[1] = bytes;
    sizes[2] = largestBucketBytes;
  }

  private void bindCluster(Cluster cluster) {
    for (MemberStatus status : STATUSES) {
      Gauge.builder("actorkv.cluster.members", cluster, c -> members(c.state(), status))
          .description("Cluster members this node sees, by status")
          .tag("status", status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("actorkv.cluster.unreachable", cluster, c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector finds unreachable")
        .register(registry);
  }

  private static long members(CurrentClusterState state, MemberStatus status) {
    return StreamSupport.stream(state.getMembers().spliterator(), false)
        .map(Member::status)
        .filter(status::equals)
        .count();
  }

  /** The extension's id: one {@link Metrics} per actor system. */
  public static final class Id extends AbstractExtensionId<Metrics> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public Id lookup() {
      return INSTANCE;
    }

    @Override
    public Metrics createExtension(ExtendedActorSystem system) {
      return new Metrics(system);
    }
  }
}
