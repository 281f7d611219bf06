package io.actorkv.config;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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
    int managementPort,
    Discovery discovery,
    List<String> seeds,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    long maxValueBytes,
    Duration requestTimeout,
    int snapshotEvery,
    String anonymousPrincipal,
    Duration feedHeartbeat,
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
      return name().toLowerCase(Locale.ROOT);
    }
  }

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
          + "PostgreSQL journal: give --db-url (ACTORKV_DB_URL). The embedded H2 journal serves a single node only.");
    }
  }

  public static ActorKvSettings from(Config root) {
    Config c = root.getConfig("actorkv");
    return new ActorKvSettings(
        Path.of(c.getString("data-dir")).toAbsolutePath().normalize(),
        c.getString("http.host"),
        c.getInt("http.port"),
        c.getDuration("http.header-timeout"),
        c.getDuration("http.body-idle-timeout"),
        c.getDuration("http.body-timeout"),
        c.getDuration("http.drain-time"),
        c.getString("remote.host"),
        c.getInt("remote.port"),
        c.getInt("management.port"),
        Discovery.parse(c.getString("discovery")),
        List.copyOf(c.getStringList("seeds")),
        c.getString("db.url"),
        c.getString("db.user"),
        c.getString("db.password"),
        c.getInt("db.pool-size"),
        c.getBytes("max-value-bytes"),
        c.getDuration("request-timeout"),
        c.getInt("snapshot-every"),
        c.getString("anonymous-principal"),
        c.getDuration("feed.heartbeat"),
        c.getBoolean("test-mode"),
        LogFormat.parse(c.getString("log-format")),
        Auth.from(c.getConfig("auth")));
  }

  private static <E extends Enum<E>> E parseChoice(Class<E> type, String setting, String value) {
    for (E choice : type.getEnumConstants()) {
      if (choice.name().equalsIgnoreCase(value.trim())) return choice;
    }
    throw new IllegalArgumentException(setting + " must be one of "
        + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
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

  /** True when the journal is the embedded H2 file database (no --db-url given). */
  public boolean embeddedDatabase() {
    return dbUrl.isEmpty();
  }
}
