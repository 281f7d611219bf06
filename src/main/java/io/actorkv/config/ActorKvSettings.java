package io.actorkv.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The node's own settings, read once from the {@code actorkv} block of the
 * configuration. Pekko's settings stay in Pekko's blocks.
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
    boolean testMode) {

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
        c.getBoolean("test-mode"));
  }

  /** True when the journal is the embedded H2 file database (no --db-url given). */
  public boolean embeddedDatabase() {
    return dbUrl.isEmpty();
  }
}
