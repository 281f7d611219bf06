package io.actorkv.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.actorkv.audit.JournalFeed;
import io.actorkv.audit.JournalKeyIndex;
import io.actorkv.base.MessageBudget;
import io.actorkv.base.Ticker;
import io.actorkv.cluster.ClusterFormation;
import io.actorkv.cluster.ClusterStatus;
import io.actorkv.cluster.Drain;
import io.actorkv.cluster.NetworkFaults;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.ActorKvSettings.Discovery;
import io.actorkv.crypto.DataKeys;
import io.actorkv.crypto.LocalMasterKeys;
import io.actorkv.crypto.MasterKeys;
import io.actorkv.eventual.EventualSettings;
import io.actorkv.eventual.EventualStore;
import io.actorkv.http.HttpApi;
import io.actorkv.http.ValueLimits;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.journal.JournalHooks;
import io.actorkv.journal.SqlJournal;
import io.actorkv.metrics.KeyOperationMetrics;
import io.actorkv.metrics.Metrics;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.Namespaces;
import io.actorkv.security.AccessControl;
import io.actorkv.security.Authorization;
import io.actorkv.security.Tokens;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.Deadline;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.ModeRouter;
import io.actorkv.store.ReadinessGate;
import io.actorkv.store.StoreFilter;
import io.actorkv.strong.HistoryRetention;
import io.actorkv.strong.IdempotencyLimits;
import io.actorkv.strong.StrongStore;
import io.actorkv.strong.ValueSeal;
import io.actorkv.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One running ActorKV node: schema migrated, actor system up, cluster joined
 * (or formed; with Kubernetes discovery, once Cluster Bootstrap finds the
 * others), management and the HTTP API bound. The one place that wires
 * the packages together. {@link #close()} leaves the cluster gracefully; the
 * same happens on SIGTERM through CoordinatedShutdown.
 */
public final class Node implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final CompletionStage<Void> stopped;

  private Node(ActorSystem<Void> system, ServerBinding binding, CompletionStage<Void> stopped) {
    this.system = system;
    this.binding = binding;
    this.stopped = stopped;
  }

  /** Starts a node from a fully layered configuration (see {@code io.actorkv.config.NodeConfig}). */
  public static Node start(Config config) {
    ActorKvSettings settings = ActorKvSettings.from(config);
    checkValuesFitAMessage(settings, config);
    SqlJournal.checkSettings(config.getConfig("actorkv-journal"));
    // Read before anything starts, so that unusable files stop the node at once.
    Optional<ServerTls> tls = settings.https().map(f -> ServerTls.load(f.cert(), f.key(), f.clientCa()));
    Optional<MasterKeys> masterKeys = LocalMasterKeys.load(config.getString("actorkv.encryption.master-key-file"),
        config.getString("actorkv.encryption.master-key"),
        config.getStringList("actorkv.encryption.previous-master-key-files"));
    Clock clock = Clock.systemUTC();
    Optional<Tokens> tokens = settings.auth().enabled()
        ? Optional.of(Tokens.load(tokenSettings(settings.auth()), clock)) : Optional.empty();
    createDirectories(settings);
    JournalDatabase database = JournalDatabase.open(settings);
    ActorSystem<Void> system;
    Config full;
    try {
      database.migrate();
      full = database.pekkoConfig(settings.dbPoolSize())
          .withFallback(ConfigFactory.parseMap(Map.of("pekko.cluster.distributed-data.durable.lmdb.dir",
              settings.dataDir().resolve("eventual").toString())))
          .withFallback(config);
      system = ActorSystem.create(Behaviors.empty(), ClusterFormation.SYSTEM_NAME, full);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    // Closed in reverse order once the system has terminated, before the journal stops.
    Deque<AutoCloseable> afterTermination = new ConcurrentLinkedDeque<>();
    CompletionStage<Void> stopped = closeAfter(system, database, afterTermination);
    try {
      if (settings.discovery() == Discovery.SEEDS) {
        ClusterFormation.join(system, settings.seeds());
      }
      Drain.install(system.classicSystem(), settings.drainTime());

      Ticker ticker = Ticker.SYSTEM;
      // Keys learn their namespace's retention from the namespaces, which start after the stores.
      CompletableFuture<Namespaces> namespacesStarted = new CompletableFuture<>();
      HikariDataSource feedPool = database.readerPool("actorkv-feed", full.getInt("actorkv.feed.pool-size"));
      afterTermination.push(feedPool::close);
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      DataKeys dataKeys = masterKeys.map(m -> new DataKeys(database, m, blocking)).orElse(DataKeys.OFF);
      int rewrapped = dataKeys.rewrap();
      if (rewrapped > 0) system.log().info("wrapped {} data keys again with the current master key", rewrapped);
      ValueSeal seal = new ValueSeal(dataKeys);
      JournalFeed changes = new JournalFeed(database, feedPool, blocking, clock, JournalFeed.Settings.from(full),
          seal);
      HikariDataSource indexPool = database.writerPool("actorkv-key-index", full.getInt("actorkv.listing.pool-size"));
      JournalKeyIndex index = new JournalKeyIndex(database, indexPool, changes, blocking, clock,
          JournalKeyIndex.Settings.from(full), seal);
      // A journal of this node's own writes the index's rows itself; one that nodes share is read back.
      if (settings.embeddedDatabase()) {
        index.startInJournal(JournalHooks.get(system.classicSystem()));
      } else {
        index.start();
      }
      CoordinatedShutdown.get(system.classicSystem()).addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-key-index", () -> {
        index.stop();
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      afterTermination.push(() -> {
        index.stop();
        indexPool.close();
      });
      StrongStore strong = StrongStore.start(system, clock, ticker, settings.snapshotEvery(),
          settings.requestTimeout(), retention(namespacesStarted),
          new IdempotencyLimits(settings.idempotencyWindow(), settings.idempotencyKeysPerKey()), index, seal);
      EventualSettings eventualSettings = EventualSettings.from(full);
      EventualStore eventual = EventualStore.start(system, eventualSettings, clock,
          database.secret(CONTEXT_SECRET), dataKeys);
      ModeRouter stores = new ModeRouter(strong, eventual);
      Namespaces namespaces = Namespaces.start(system, settings.requestTimeout(), clock, stores,
          shredding(dataKeys, blocking));
      namespacesStarted.complete(namespaces);
      eventual.maintenance().schedulePurge(system, namespaces);
      ClusterStatus cluster = new ClusterStatus(system);
      Metrics metrics = Metrics.get(system);
      Duration shardingEvery = full.getDuration("actorkv.metrics.sharding-interval");
      system.scheduler().scheduleWithFixedDelay(shardingEvery, shardingEvery, () -> {
        strong.shardsHere().thenAccept(metrics::shardsHere);
        namespaces.list().thenAccept(all -> all.stream().filter(ns -> ns.mode() == Mode.EVENTUAL).forEach(ns ->
            eventual.maintenance().sizes(ns).thenAccept(size ->
                metrics.eventualNamespace(ns.name(), size.keys(), size.bytes(), size.largestBucketBytes()))));
      }, system.executionContext());
      AccessControl access = AccessControl.start(system, settings.requestTimeout(), clock);
      // Every concern that stands between a request and the stores, outermost first.
      List<StoreFilter> filters = new ArrayList<>(List.of(new KeyOperationMetrics(metrics), new Deadline(),
          new ReadinessGate(cluster::ready)));
      if (tokens.isPresent()) filters.add(new Authorization(access));
      KeyValueStore api = StoreFilter.around(stores, filters);


      Optional<NetworkFaults> faults = settings.testMode() ? Optional.of(NetworkFaults.of(system)) : Optional.empty();
      HttpApi http = new HttpApi(settings, new ValueLimits(settings.maxValueBytes(), eventualSettings.maxValueBytes()),
          eventualSettings.defaultBuckets(), api, changes, namespaces, cluster, ticker, faults, metrics, tokens,
          access);
      ServerBinding binding = http.bind(system, settings.httpHost(), settings.httpPort(),
              tls.map(t -> ConnectionContext.httpsServer(t::apiEngine)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      system.log().info("ActorKV HTTP API on {}://{}:{}/v1, journal {}", tls.isPresent() ? "https" : "http",
          settings.httpHost(), binding.localAddress().getPort(), database.vendor());
      // Last, so that management's /ready, which answers once this node is an Up member, is never
      // reached while nothing listens on the API yet.
      PekkoManagement.get(system.classicSystem()).start(management -> tls
              .map(t -> management.withHttpsConnectionContext(ConnectionContext.httpsServer(t::managementEngine)))
              .orElse(management))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (settings.discovery() == Discovery.KUBERNETES) {
        // After management, which serves the contact point that the other pods probe.
        ClusterFormation.bootstrap(system);
      }
      if (tokens.isEmpty() && settings.auth().insecure()) system.log().warn(HttpApi.INSECURE_WARNING);
      if (settings.testMode()) {
        system.log().warn("TEST MODE: /test/v1/blackhole can cut this node off from its peers; never use in production");
      }
      return new Node(system, binding, stopped);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * What the node opened outside its actor system (connection pools, the
   * embedded journal's server) outlives the system, whose last writes it
   * takes, and closes after it: when the system terminates, and on a JVM exit
   * (SIGTERM, or a downed node's exit) once the coordinated shutdown that the
   * exit started has terminated it. The stage completes when all of it is
   * closed, so nothing writes in the data directory any more.
   */
  private static CompletionStage<Void> closeAfter(ActorSystem<Void> system, JournalDatabase database,
                                                  Deque<AutoCloseable> resources) {
    Runnable closeAll = () -> {
      for (AutoCloseable resource; (resource = resources.poll()) != null; ) {
        try {
          resource.close();
        } catch (Exception e) {
          system.log().warn("closing after the actor system: {}", e.toString());
        }
      }
      database.close();
    };
    CompletionStage<Void> closed = system.getWhenTerminated().thenRun(closeAll);
    if (database.server().isEmpty()) return closed;
    Thread hook = new Thread(() -> {
      CoordinatedShutdown.get(system.classicSystem()).run(CoordinatedShutdown.jvmExitReason());
      try {
        system.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        // stop the server all the same: the JVM is going
      }
      closeAll.run();
    }, "actorkv-journal-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    database.server().get().stopsWithItsOwner();
    system.getWhenTerminated().thenRun(() -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // the JVM is already running its hooks, this one among them
      }
    });
    return closed;
  }

  private static Tokens.Settings tokenSettings(ActorKvSettings.Auth auth) {
    return new Tokens.Settings(file(auth.secretFile()), file(auth.jwksFile()), text(auth.issuer()),
        text(auth.audience()), auth.clockSkew(), auth.roleClaim(), auth.tokenCacheSize());
  }

  private static Optional<Path> file(String path) {
    return path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path));
  }

  private static Optional<String> text(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The data keys as shredding a namespace uses them; destroying one reads and writes the database. */
  private static Namespaces.Keys shredding(DataKeys keys, Executor blocking) {
    if (!keys.enabled()) return Namespaces.Keys.NONE;
    return new Namespaces.Keys() {
      @Override
      public boolean encrypted() {
        return true;
      }

      @Override
      public CompletionStage<Void> destroy(String storageName) {
        return CompletableFuture.runAsync(() -> keys.shred(storageName), blocking);
      }

      @Override
      public void forget(String storageName) {
        keys.forget(storageName);
      }
    };
  }

  /** The keys' retention as their namespaces define it, once the namespaces have started. */
  private static HistoryRetention retention(CompletableFuture<Namespaces> started) {
    return new HistoryRetention() {
      @Override
      public OptionalInt known(String storageName) {
        Namespaces namespaces = started.getNow(null);
        return namespaces == null ? OptionalInt.empty() : namespaces.cachedRetention(storageName);
      }

      @Override
      public CompletionStage<Integer> find(String storageName) {
        return started.thenCompose(namespaces -> namespaces.retention(storageName));
      }
    };
  }

  /** The name of the cluster's secret for the causal contexts of eventual namespaces. */
  static final String CONTEXT_SECRET = "eventual-contexts";

  /**
   * A strong value travels between nodes in one message (the put to its
   * key's node, the answer to a read from another), and Artery drops any
   * message over its frame size: a larger value would be stored and then
   * unreadable from every other node. So the limit must leave room.
   */
  static void checkValuesFitAMessage(ActorKvSettings settings, Config config) {
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    if (settings.maxValueBytes() + MessageBudget.OVERHEAD_BYTES > frame) {
      throw new IllegalArgumentException("actorkv.max-value-bytes (" + settings.maxValueBytes() + ") must be at least "
          + MessageBudget.OVERHEAD_BYTES + " bytes below pekko.remote.artery.advanced.maximum-frame-size (" + frame
          + "): a value travels between nodes in one message. Lower the one or raise the other on every node.");
    }
  }

  private static void createDirectories(ActorKvSettings settings) {
    try {
      Files.createDirectories(settings.dataDir());
    } catch (IOException e) {
      String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
      throw new UncheckedIOException("cannot create data directory " + settings.dataDir() + ": " + why, e);
    }
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
      stopped.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop within " + timeout, e);
    }
  }

  /** Completes once the actor system has terminated and the embedded journal, if any, has stopped. */
  public CompletionStage<Void> whenStopped() {
    return stopped;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(60));
  }
}
