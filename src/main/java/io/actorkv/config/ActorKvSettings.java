package io.actorkv.config;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The node's own settings, read once from the {@code actorkv} block of the
 * configuration. Pekko's settings stay in Pekko's blocks. Settings that
 * contradict each other are refused here, with an
 * {@link IllegalArgumentException} that says what to change.
 */
public record ActorKvSettings(
    Path dataDir,
    String httpHost,
    int httpPort,
    Duration headerTimeout,
    Duration bodyIdleTimeout,
    Duration bodyTimeout,
    Duration drainTime,
    String remoteHost,
    int remotePort,
    Optional<Path> clusterTlsDir,
    Optional<HttpsFiles> https,
    int managementPort,
    Discovery discovery,
    List<String> seeds,
    String dbUrl,
    Journal journal,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    long maxValueBytes,
    Duration requestTimeout,
    int snapshotEvery,
    Duration idempotencyWindow,
    int idempotencyKeysPerKey,
    String anonymousPrincipal,
    Duration feedHeartbeat,
    long listingMaxResponseBytes,
    long batchMaxBytes,
    int batchMaxInFlight,
    boolean testMode,
    LogFormat logFormat,
    Auth auth) {

  /**
   * How requests are authenticated ({@code actorkv.auth}): empty paths and
   * names are not configured. {@code insecure} lets a node without either
   * key file serve beyond loopback.
   */
  public record Auth(String secretFile, String jwksFile, String issuer, String audience, Duration clockSkew,
                     String roleClaim, int tokenCacheSize, boolean insecure) {

    /** Whether requests must carry a token: a secret or a JWKS file is given. */
    public boolean enabled() {
      return !secretFile.isEmpty() || !jwksFile.isEmpty();
    }

    static Auth from(Config c) {
      return new Auth(c.getString("secret-file"), c.getString("jwks-file"), c.getString("issuer"),
          c.getString("audience"), c.getDuration("clock-skew"), c.getString("role-claim"),
          c.getInt("token-cache-size"), c.getBoolean("insecure"));
    }
  }

  /** How a node finds the others ({@code actorkv.discovery}). */
  public enum Discovery {
    /** Joins the {@code actorkv.seeds}, or forms a cluster alone when there are none. */
    SEEDS,
    /** Cluster Bootstrap: contact points are the pods the Kubernetes API lists. */
    KUBERNETES;

    static Discovery parse(String value) {
      return parseChoice(Discovery.class, "actorkv.discovery (--discovery, ACTORKV_DISCOVERY)", value);
    }
  }

  /**
   * The journal a node without {@code --db-url} creates in a new data
   * directory ({@code actorkv.journal}). A data directory that already holds
   * one keeps it.
   */
  public enum Journal {
    /** A PostgreSQL server of the node's own, fsync on every commit: survives power loss. */
    EMBEDDED_POSTGRES,
    /** An H2 file database, forced to disk after each batch of writes: survives power loss. */
    H2;

    public static Journal parse(String value) {
      return parseChoice(Journal.class, "actorkv.journal (--journal, ACTORKV_JOURNAL)", value);
    }

    /** The name as users write it. */
    public String value() {
      return choiceName(this);
    }
  }

  /** How log lines are written ({@code actorkv.log-format}); logback.xml picks the appender by it. */
  public enum LogFormat {
    TEXT,
    /** One JSON object a line: time, level, logger, message, MDC, the node's address. */
    JSON;

    /** Parses a value as given by a user; refuses anything but text or json. */
    public static LogFormat parse(String value) {
      return parseChoice(LogFormat.class, "actorkv.log-format (--log-format, ACTORKV_LOG_FORMAT)", value);
    }

    /** The name as users write it. */
    public String value() {
      return choiceName(this);
    }
  }

  /**
   * The API's and management's certificate chain and key, and the CAs whose
   * client certificates the API requires (none: no client certificate).
   */
  public record HttpsFiles(Path cert, Path key, Optional<Path> clientCa) {}

  /** The PEM files a cluster TLS directory must hold, as cert-manager names them. */
  public static final List<String> CLUSTER_TLS_FILES = List.of("tls.crt", "tls.key", "ca.crt");

  public ActorKvSettings {
    if (!auth.enabled() && !auth.insecure() && !isLoopback(httpHost)) {
      throw new IllegalArgumentException("refusing to serve without authentication on " + httpHost + " (the HTTP "
          + "API and management bind there): anyone who reaches it could read, change and delete everything. "
          + "Require tokens with --auth-secret-file FILE (make FILE with 'actorkv token --new-secret FILE') or "
          + "--auth-jwks-file FILE (docs/security.md), bind 127.0.0.1, or accept the risk with --insecure.");
    }
    if (discovery == Discovery.KUBERNETES && !seeds.isEmpty()) {
      throw new IllegalArgumentException("--discovery kubernetes finds the other nodes itself, so it takes no seeds "
          + "(given: " + seeds + "). Remove --seed / ACTORKV_SEEDS / actorkv.seeds, or use --discovery seeds.");
    }
    if (discovery == Discovery.KUBERNETES && dbUrl.isEmpty()) {
      throw new IllegalArgumentException("--discovery kubernetes runs several nodes, and they must share one "
          + "PostgreSQL journal: give --db-url (ACTORKV_DB_URL). An embedded journal serves a single node only.");
    }
  }

  /** The data directory; an empty one would be the working directory, which nobody means. */
  private static Path dataDir(Config c) {
    String dir = c.getString("data-dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("actorkv.data-dir (--data-dir, ACTORKV_DATA_DIR) must name a directory, "
          + "not be empty");
    }
    return Path.of(dir).toAbsolutePath().normalize();
  }

  /** A TCP port, 0 for one free at start, checked before anything starts on it. */
  private static int port(Config c, String path, String option) {
    int port = c.getInt(path);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("actorkv." + path + " (" + option + ") must be a port from 0 (any free one) "
          + "to 65535, not " + port);
    }
    return port;
  }

  public static ActorKvSettings from(Config root) {
    Config c = root.getConfig("actorkv");
    return new ActorKvSettings(
        dataDir(c),
        c.getString("http.host"),
        port(c, "http.port", "--http-port"),
        c.getDuration("http.header-timeout"),
        c.getDuration("http.body-idle-timeout"),
        c.getDuration("http.body-timeout"),
        c.getDuration("http.drain-time"),
        c.getString("remote.host"),
        port(c, "remote.port", "--remote-port"),
        clusterTlsDir(c),
        https(c),
        port(c, "management.port", "--management-port"),
        Discovery.parse(c.getString("discovery")),
        List.copyOf(c.getStringList("seeds")),
        c.getString("db.url"),
        Journal.parse(c.getString("journal")),
        c.getString("db.user"),
        c.getString("db.password"),
        c.getInt("db.pool-size"),
        c.getBytes("max-value-bytes"),
        c.getDuration("request-timeout"),
        c.getInt("snapshot-every"),
        c.getDuration("idempotency.window"),
        c.getInt("idempotency.keys-per-key"),
        c.getString("anonymous-principal"),
        c.getDuration("feed.heartbeat"),
        c.getBytes("listing.max-response-bytes"),
        c.getBytes("batch.max-bytes"),
        c.getInt("batch.max-in-flight"),
        c.getBoolean("test-mode"),
        LogFormat.parse(c.getString("log-format")),
        Auth.from(c.getConfig("auth")));
  }

  /** A choice as users write it: {@code EMBEDDED_POSTGRES} is {@code embedded-postgres}. */
  private static String choiceName(Enum<?> choice) {
    return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Optional<Path> clusterTlsDir(Config c) {
    Optional<Path> dir = optionalPath(c, "remote.tls-dir");
    dir.ifPresent(d -> CLUSTER_TLS_FILES.forEach(name -> readable(d.resolve(name),
        "actorkv.remote.tls-dir (--cluster-tls-dir, ACTORKV_CLUSTER_TLS_DIR) must hold " + name)));
    return dir;
  }

  private static Optional<HttpsFiles> https(Config c) {
    Optional<Path> cert = optionalPath(c, "tls.cert");
    Optional<Path> key = optionalPath(c, "tls.key");
    Optional<Path> clientCa = optionalPath(c, "tls.client-ca");
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException("HTTPS needs both actorkv.tls.cert (--tls-cert, ACTORKV_TLS_CERT) and "
          + "actorkv.tls.key (--tls-key, ACTORKV_TLS_KEY); only one is given");
    }
    if (clientCa.isPresent() && cert.isEmpty()) {
      throw new IllegalArgumentException("actorkv.tls.client-ca (--tls-client-ca, ACTORKV_TLS_CLIENT_CA) asks API "
          + "clients for certificates over HTTPS: give --tls-cert and --tls-key too");
    }
    cert.ifPresent(f -> readable(f, "actorkv.tls.cert (--tls-cert, ACTORKV_TLS_CERT)"));
    key.ifPresent(f -> readable(f, "actorkv.tls.key (--tls-key, ACTORKV_TLS_KEY)"));
    clientCa.ifPresent(f -> readable(f, "actorkv.tls.client-ca (--tls-client-ca, ACTORKV_TLS_CLIENT_CA)"));
    return cert.map(f -> new HttpsFiles(f, key.orElseThrow(), clientCa));
  }

  private static Optional<Path> optionalPath(Config c, String path) {
    String value = c.getString(path).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value).toAbsolutePath().normalize());
  }

  private static void readable(Path file, String setting) {
    if (!Files.isReadable(file)) throw new IllegalArgumentException(setting + ": cannot read " + file);
  }

  private static <E extends Enum<E>> E parseChoice(Class<E> type, String setting, String value) {
    for (E choice : type.getEnumConstants()) {
      if (choice.name().equalsIgnoreCase(value.trim().replace('-', '_'))) return choice;
    }
    throw new IllegalArgumentException(setting + " must be one of "
        + Arrays.stream(type.getEnumConstants()).map(ActorKvSettings::choiceName).toList()
        + ", not '" + value + "'");
  }

  /** Whether {@code host} names a loopback address only (127.0.0.0/8, ::1, localhost). */
  static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) return false;
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** True when the journal is embedded in the data directory (no --db-url given). */
  public boolean embeddedDatabase() {
    return dbUrl.isEmpty();
  }
}
