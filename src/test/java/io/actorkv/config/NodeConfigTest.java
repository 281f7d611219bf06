package io.actorkv.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a node's settings are layered: option over environment over --config file over application.conf. */
class NodeConfigTest {

  @TempDir
  Path dir;

  // --- precedence ---

  @Test
  void givenNothingGiven_whenLoaded_thenApplicationConfDefaults() {
    Config config = NodeConfig.load(Map.of(), Map.of(), null);

    assertEquals("./data", config.getString("actorkv.data-dir"));
    assertEquals("127.0.0.1", config.getString("actorkv.http.host"));
    assertEquals(8080, config.getInt("actorkv.http.port"));
    assertEquals(25520, config.getInt("actorkv.remote.port"));
    assertEquals(List.of(), config.getStringList("actorkv.seeds"));
    assertEquals("", config.getString("actorkv.db.url"));
    assertEquals(100, config.getInt("actorkv.snapshot-every"));
  }

  @Test
  void givenConfigFile_whenLoaded_thenItsValuesOverrideTheDefaultsAndTheRestStays() throws IOException {
    Path file = hocon("""
        actorkv.http.port = 9001
        actorkv.snapshot-every = 7
        actorkv.db.url = "jdbc:postgresql://db/file"
        """);

    Config config = NodeConfig.load(Map.of(), Map.of(), file);

    assertEquals(9001, config.getInt("actorkv.http.port"));
    assertEquals(7, config.getInt("actorkv.snapshot-every"));
    assertEquals("jdbc:postgresql://db/file", config.getString("actorkv.db.url"));
    assertEquals(Duration.ofSeconds(5), config.getDuration("actorkv.request-timeout"));
    assertEquals(25520, config.getInt("actorkv.remote.port"));
  }

  @Test
  void givenEnvironmentAndConfigFile_whenLoaded_thenEnvironmentWins() throws IOException {
    Path file = hocon("""
        actorkv.http.port = 9001
        actorkv.db.url = "jdbc:postgresql://db/file"
        actorkv.remote.port = 2551
        """);
    Map<String, String> env = Map.of(
        "ACTORKV_HTTP_PORT", "9002",
        "ACTORKV_DB_URL", "jdbc:postgresql://db/env");

    Config config = NodeConfig.load(Map.of(), env, file);

    assertEquals(9002, config.getInt("actorkv.http.port"));
    assertEquals("jdbc:postgresql://db/env", config.getString("actorkv.db.url"));
    assertEquals(2551, config.getInt("actorkv.remote.port"));
  }

  @Test
  void givenOptionEnvironmentAndConfigFile_whenLoaded_thenOptionWins() throws IOException {
    Path file = hocon("""
        actorkv.http.port = 9001
        actorkv.data-dir = "/from/file"
        actorkv.db.user = "file-user"
        """);
    Map<String, String> env = Map.of(
        "ACTORKV_HTTP_PORT", "9002",
        "ACTORKV_DATA_DIR", "/from/env",
        "ACTORKV_DB_USER", "env-user");
    Map<Setting, Object> options = new EnumMap<>(Setting.class);
    options.put(Setting.HTTP_PORT, 9003);
    options.put(Setting.DATA_DIR, "/from/option");

    Config config = NodeConfig.load(options, env, file);

    assertEquals(9003, config.getInt("actorkv.http.port"));
    assertEquals("/from/option", config.getString("actorkv.data-dir"));
    assertEquals("env-user", config.getString("actorkv.db.user"));
  }

  @Test
  void givenOptionOnly_whenLoaded_thenOptionOverridesTheDefault() {
    Config config = NodeConfig.load(Map.of(Setting.MANAGEMENT_PORT, 18558), Map.of(), null);

    assertEquals(18558, config.getInt("actorkv.management.port"));
  }

  @Test
  void givenBlankEnvironmentVariable_whenLoaded_thenItIsIgnored() throws IOException {
    Path file = hocon("actorkv.http.port = 9001");

    Config config = NodeConfig.load(Map.of(), Map.of("ACTORKV_HTTP_PORT", "  ", "ACTORKV_DB_URL", ""), file);

    assertEquals(9001, config.getInt("actorkv.http.port"));
    assertEquals("", config.getString("actorkv.db.url"));
  }

  @Test
  void givenUnrelatedEnvironmentVariables_whenLoaded_thenTheyAreNotRead() {
    Config config = NodeConfig.load(Map.of(), Map.of("HTTP_PORT", "1", "ACTORKV_HTTP_PORTS", "2"), null);

    assertEquals(8080, config.getInt("actorkv.http.port"));
  }

  @Test
  void givenRemoteAndManagementSettingsOverridden_whenLoaded_thenPekkosSettingsFollowThem() {
    Map<Setting, Object> options = new EnumMap<>(Setting.class);
    options.put(Setting.REMOTE_HOST, "10.0.0.5");
    options.put(Setting.MANAGEMENT_PORT, 18558);

    Config config = NodeConfig.load(options, Map.of("ACTORKV_REMOTE_PORT", "2552"), null);

    assertEquals("10.0.0.5", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(2552, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(18558, config.getInt("pekko.management.http.port"));
  }

  @Test
  void givenNothingGiven_whenLoaded_thenTestModeIsOffForUsAndForArtery() {
    Config config = NodeConfig.load(Map.of(), Map.of(), null);

    assertFalse(config.getBoolean("actorkv.test-mode"));
    assertFalse(config.getBoolean("pekko.remote.artery.advanced.test-mode"));
  }

  @Test
  void givenTestModeInEnvironmentOrAsOption_whenLoaded_thenArteryTestModeFollows() {
    Config fromEnv = NodeConfig.load(Map.of(), Map.of("ACTORKV_TEST_MODE", "on"), null);
    Config fromOption = NodeConfig.load(Map.of(Setting.TEST_MODE, true), Map.of(), null);

    for (Config config : List.of(fromEnv, fromOption)) {
      assertTrue(config.getBoolean("actorkv.test-mode"));
      assertTrue(config.getBoolean("pekko.remote.artery.advanced.test-mode"));
      assertTrue(ActorKvSettings.from(config).testMode());
    }
  }

  /** An empty data directory would be the working directory: refused, as an option or in a file. */
  @Test
  void givenAnEmptyDataDirectory_whenSettingsRead_thenRefused() {
    for (Config config : List.of(NodeConfig.load(Map.of(Setting.DATA_DIR, Path.of("")), Map.of(), null),
        NodeConfig.of(Map.of(), ConfigFactory.parseString("actorkv.data-dir = \"\"")))) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> ActorKvSettings.from(config));
      assertTrue(refused.getMessage().contains("must name a directory, not be empty"), refused.getMessage());
    }
  }

  // --- TLS ---

  @Test
  void givenNoClusterTlsDirectory_whenLoaded_thenArteryIsPlainTcp() {
    Config config = NodeConfig.load(Map.of(), Map.of(), null);

    assertEquals("tcp", config.getString("pekko.remote.artery.transport"));
    assertTrue(ActorKvSettings.from(config).clusterTlsDir().isEmpty());
    assertTrue(ActorKvSettings.from(config).https().isEmpty());
  }

  @Test
  void givenClusterTlsDirectoryInEnvironment_whenLoaded_thenArteryUsesPekkosRotatingEngineOnItsFiles(
      @TempDir Path dir) throws IOException {
    for (String name : ActorKvSettings.CLUSTER_TLS_FILES) Files.writeString(dir.resolve(name), "pem");

    Config config = NodeConfig.load(Map.of(), Map.of("ACTORKV_CLUSTER_TLS_DIR", dir.toString()), null);

    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    assertEquals("org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
        config.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    Config engine = config.getConfig("pekko.remote.artery.ssl.rotating-keys-engine");
    assertEquals(dir.resolve("tls.crt").toString(), engine.getString("cert-file"));
    assertEquals(dir.resolve("tls.key").toString(), engine.getString("key-file"));
    assertEquals(dir.resolve("ca.crt").toString(), engine.getString("ca-cert-file"));
    assertEquals(Optional.of(dir), ActorKvSettings.from(config).clusterTlsDir());
  }

  @Test
  void givenTlsFilesInEnvironment_whenSettingsRead_thenHttpsFilesAreTheirAbsolutePaths(@TempDir Path dir)
      throws IOException {
    for (String name : List.of("api.crt", "api.key", "clients.crt")) Files.writeString(dir.resolve(name), "pem");

    ActorKvSettings settings = ActorKvSettings.from(NodeConfig.load(Map.of(), Map.of(
        "ACTORKV_TLS_CERT", dir.resolve("api.crt").toString(),
        "ACTORKV_TLS_KEY", dir.resolve("api.key").toString(),
        "ACTORKV_TLS_CLIENT_CA", dir.resolve("clients.crt").toString()), null));

    assertEquals(Optional.of(new ActorKvSettings.HttpsFiles(dir.resolve("api.crt"), dir.resolve("api.key"),
        Optional.of(dir.resolve("clients.crt")))), settings.https());
  }

  // --- seeds ---

  @Test
  void givenCommaSeparatedSeedsInEnvironment_whenLoaded_thenSeedsAreATrimmedList() {
    Config config = NodeConfig.load(Map.of(), Map.of("ACTORKV_SEEDS", "10.0.0.1:25520, 10.0.0.2:25520 ,host-3:2551"),
        null);

    assertEquals(List.of("10.0.0.1:25520", "10.0.0.2:25520", "host-3:2551"), config.getStringList("actorkv.seeds"));
  }

  @Test
  void givenOneSeedInEnvironment_whenLoaded_thenAListOfOne() {
    Config config = NodeConfig.load(Map.of(), Map.of("ACTORKV_SEEDS", "10.0.0.1:25520"), null);

    assertEquals(List.of("10.0.0.1:25520"), config.getStringList("actorkv.seeds"));
  }

  @Test
  void givenSeedsAsOptionAndInEnvironment_whenLoaded_thenTheOptionListWins() {
    Config config = NodeConfig.load(Map.of(Setting.SEEDS, List.of("a:1", "b:2")),
        Map.of("ACTORKV_SEEDS", "c:3"), null);

    assertEquals(List.of("a:1", "b:2"), config.getStringList("actorkv.seeds"));
  }

  // --- discovery ---

  @Test
  void givenNothingGiven_whenSettingsRead_thenSeedsDiscoveryAndTextLogs() {
    ActorKvSettings settings = ActorKvSettings.from(NodeConfig.load(Map.of(), Map.of(), null));

    assertEquals(ActorKvSettings.Discovery.SEEDS, settings.discovery());
    assertEquals(ActorKvSettings.LogFormat.TEXT, settings.logFormat());
    assertEquals(ActorKvSettings.Journal.EMBEDDED_POSTGRES, settings.journal());
  }

  @Test
  void givenAJournalByOptionOrEnvironment_whenSettingsRead_thenThatOneOrARefusalListingTheChoices() {
    Config h2 = NodeConfig.load(Map.of(Setting.JOURNAL, "h2"), Map.of(), null);
    Config sqlite = NodeConfig.load(Map.of(), Map.of("ACTORKV_JOURNAL", "sqlite"), null);

    assertEquals(ActorKvSettings.Journal.H2, ActorKvSettings.from(h2).journal());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ActorKvSettings.from(sqlite));
    assertTrue(bad.getMessage().contains("[embedded-postgres, h2], not 'sqlite'"), bad.getMessage());
  }

  @Test
  void givenKubernetesDiscoveryInEnvironment_whenLoaded_thenBootstrapAsksTheKubernetesApiForOurPods() {
    Map<String, String> env = Map.of("ACTORKV_DISCOVERY", "kubernetes", "ACTORKV_DB_URL", "jdbc:postgresql://db/kv",
        "POD_NAMESPACE", "store", "ACTORKV_REQUIRED_CONTACT_POINTS", "3");

    Config config = NodeConfig.load(Map.of(), env, null);

    assertEquals(ActorKvSettings.Discovery.KUBERNETES, ActorKvSettings.from(config).discovery());
    Config discovery = config.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
    assertEquals("kubernetes-api", discovery.getString("discovery-method"));
    assertEquals("management", discovery.getString("port-name"));
    assertEquals(3, discovery.getInt("required-contact-point-nr"));
    assertEquals(Duration.ofSeconds(5), discovery.getDuration("stable-margin"));
    assertEquals(Duration.ofSeconds(1),
        config.getDuration("pekko.management.cluster.bootstrap.contact-point.probe-interval"));
    Config api = config.getConfig("pekko.discovery.kubernetes-api");
    assertEquals("app=actorkv", api.getString("pod-label-selector"));
    assertEquals("store", api.getString("pod-namespace"));
    assertTrue(api.getBoolean("use-raw-ip"));
  }

  @Test
  void givenKubernetesSettingsInTheConfigFile_whenLoaded_thenPekkosKeysFollowThem() throws IOException {
    Path file = hocon("""
        actorkv.kubernetes.pod-label-selector = "app.kubernetes.io/name=kv"
        actorkv.kubernetes.stable-margin = 2s
        actorkv.kubernetes.probe-interval = 500ms
        """);

    Config config = NodeConfig.load(Map.of(), Map.of(), file);

    assertEquals("app.kubernetes.io/name=kv", config.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertEquals(Duration.ofSeconds(2),
        config.getDuration("pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin"));
    assertEquals(Duration.ofMillis(500),
        config.getDuration("pekko.management.cluster.bootstrap.contact-point.probe-interval"));
  }

  @Test
  void givenNoPodNamespace_whenLoaded_thenPekkoFallsBackToTheServiceAccountFile() {
    Config config = NodeConfig.load(Map.of(), Map.of("POD_NAMESPACE", " "), null);

    // Empty counts as unset for Pekko, which then reads pod-namespace-path.
    assertEquals("", config.getString("pekko.discovery.kubernetes-api.pod-namespace"));
  }

  @Test
  void givenKubernetesDiscoveryAndSeeds_whenSettingsRead_thenRefusedNamingTheSeeds() {
    Config config = NodeConfig.load(Map.of(Setting.DISCOVERY, "kubernetes", Setting.DB_URL, "jdbc:postgresql://db/kv"),
        Map.of("ACTORKV_SEEDS", "10.0.0.1:25520"), null);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActorKvSettings.from(config));

    assertTrue(e.getMessage().contains("no seeds") && e.getMessage().contains("10.0.0.1:25520"), e.getMessage());
  }

  @Test
  void givenKubernetesDiscoveryWithoutADatabase_whenSettingsRead_thenRefusedAskingForDbUrl() {
    Config config = NodeConfig.load(Map.of(Setting.DISCOVERY, "kubernetes"), Map.of(), null);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActorKvSettings.from(config));

    assertTrue(e.getMessage().contains("--db-url"), e.getMessage());
  }

  @Test
  void givenUnknownDiscoveryOrLogFormat_whenSettingsRead_thenRefusedListingTheChoices() {
    Config dns = NodeConfig.load(Map.of(Setting.DISCOVERY, "dns"), Map.of(), null);
    Config xml = NodeConfig.load(Map.of(), Map.of("ACTORKV_LOG_FORMAT", "xml"), null);

    IllegalArgumentException badDiscovery = assertThrows(IllegalArgumentException.class,
        () -> ActorKvSettings.from(dns));
    IllegalArgumentException badFormat = assertThrows(IllegalArgumentException.class,
        () -> ActorKvSettings.from(xml));

    assertTrue(badDiscovery.getMessage().contains("[seeds, kubernetes], not 'dns'"), badDiscovery.getMessage());
    assertTrue(badFormat.getMessage().contains("[text, json], not 'xml'"), badFormat.getMessage());
  }

  @Test
  void givenApiOnAllInterfaces_whenLoaded_thenManagementBindsThereAndAdvertisesTheRemoteHost() {
    Config config = NodeConfig.load(Map.of(Setting.HTTP_HOST, "0.0.0.0", Setting.REMOTE_HOST, "10.1.2.3"),
        Map.of(), null);

    assertEquals("0.0.0.0", config.getString("pekko.management.http.bind-hostname"));
    assertEquals("10.1.2.3", config.getString("pekko.management.http.hostname"));
  }

  /** pekko-discovery is 1.2.1 beside Pekko 1.7.0 (pom.xml); PekkoModulesTest guards every other module. */
  @Test
  void givenDefaults_thenPekkoToleratesTheOneMixedModule() {
    assertFalse(NodeConfig.load(Map.of(), Map.of(), null).getBoolean("pekko.fail-mixed-versions"));
  }

  // --- the --config file ---

  @Test
  void givenMissingConfigFile_whenLoaded_thenIllegalArgumentNamingTheFile() {
    Path missing = dir.resolve("no-such.conf");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(Map.of(), Map.of(), missing));

    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  // --- NodeConfig.of ---

  @Test
  void givenOptionsAndExtraConfig_whenOf_thenOptionsOverExtraOverDefaults() {
    Config extra = ConfigFactory.parseString(
        "actorkv.http.port = 9001\nactorkv.remote.port = 2551");

    Config config = NodeConfig.of(Map.of(Setting.HTTP_PORT, 9003), extra);

    assertEquals(9003, config.getInt("actorkv.http.port"));
    assertEquals(2551, config.getInt("actorkv.remote.port"));
    assertEquals(8558, config.getInt("actorkv.management.port"));
  }

  // --- ActorKvSettings ---

  @Test
  void givenDefaults_whenSettingsRead_thenDefaultValuesWithAbsoluteDataDirAndEmbeddedDatabase() {
    ActorKvSettings settings = ActorKvSettings.from(NodeConfig.load(Map.of(), Map.of(), null));

    assertEquals(Path.of("data").toAbsolutePath().normalize(), settings.dataDir());
    assertTrue(settings.dataDir().isAbsolute());
    assertEquals("127.0.0.1", settings.httpHost());
    assertEquals(8080, settings.httpPort());
    assertEquals("127.0.0.1", settings.remoteHost());
    assertEquals(25520, settings.remotePort());
    assertEquals(8558, settings.managementPort());
    assertEquals(List.of(), settings.seeds());
    assertEquals("", settings.dbUrl());
    assertTrue(settings.embeddedDatabase());
    assertEquals(8, settings.dbPoolSize());
    assertEquals(1_048_576L, settings.maxValueBytes());
    assertEquals(Duration.ofSeconds(5), settings.requestTimeout());
    assertEquals(100, settings.snapshotEvery());
    assertEquals("anonymous", settings.anonymousPrincipal());
    assertFalse(settings.testMode());
  }

  @Test
  void givenEveryLayer_whenSettingsRead_thenTheyReflectTheWinningValues() throws IOException {
    Path file = hocon("""
        actorkv.request-timeout = 2s
        actorkv.db.pool-size = 3
        actorkv.data-dir = "relative/../node-1"
        """);
    Map<String, String> env = Map.of(
        "ACTORKV_DB_URL", "jdbc:postgresql://db/actorkv",
        "ACTORKV_DB_USER", "kv",
        "ACTORKV_DB_PASSWORD", "secret",
        "ACTORKV_MAX_VALUE_BYTES", "2MiB",
        "ACTORKV_SEEDS", "10.0.0.1:25520,10.0.0.2:25520");
    Map<Setting, Object> options = new EnumMap<>(Setting.class);
    options.put(Setting.HTTP_HOST, "0.0.0.0");
    options.put(Setting.INSECURE, true);
    options.put(Setting.HTTP_PORT, 9080);

    ActorKvSettings settings = ActorKvSettings.from(NodeConfig.load(options, env, file));

    assertEquals(Path.of("node-1").toAbsolutePath().normalize(), settings.dataDir());
    assertEquals("0.0.0.0", settings.httpHost());
    assertEquals(9080, settings.httpPort());
    assertEquals(List.of("10.0.0.1:25520", "10.0.0.2:25520"), settings.seeds());
    assertEquals("jdbc:postgresql://db/actorkv", settings.dbUrl());
    assertFalse(settings.embeddedDatabase());
    assertEquals("kv", settings.dbUser());
    assertEquals("secret", settings.dbPassword());
    assertEquals(3, settings.dbPoolSize());
    assertEquals(2L * 1024 * 1024, settings.maxValueBytes());
    assertEquals(Duration.ofSeconds(2), settings.requestTimeout());
  }

  @Test
  void givenAbsoluteDataDir_whenSettingsRead_thenItIsKeptNormalized() {
    Path absolute = dir.resolve("a/../b").toAbsolutePath();

    ActorKvSettings settings = ActorKvSettings.from(
        NodeConfig.load(Map.of(Setting.DATA_DIR, absolute.toString()), Map.of(), null));

    assertEquals(dir.resolve("b").toAbsolutePath().normalize(), settings.dataDir());
  }

  private Path hocon(String text) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "node", ".conf"), text);
  }
}
