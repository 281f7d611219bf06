package io.actorkv.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.ActorKvSettings.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL database behind the journal and snapshot store: PostgreSQL when a
 * URL is given, otherwise the embedded journal of the data directory, a
 * PostgreSQL server of the node's own ({@link EmbeddedPostgresServer}) or an
 * H2 file database. Its schema is migrated by Flyway at start-up; on
 * PostgreSQL Flyway holds an advisory lock, so nodes starting together
 * migrate once. {@link #close()} stops the embedded server, if this started one.
 */
public record JournalDatabase(String url, String user, String password, String driver, String slickProfile,
                              String vendor, Optional<EmbeddedPostgresServer> server) implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalDatabase.class);

  public static JournalDatabase open(ActorKvSettings settings) {
    return open(settings.dbUrl(), settings.dbUser(), settings.dbPassword(), settings.dataDir(), settings.journal());
  }

  /**
   * PostgreSQL at {@code dbUrl}; or (an empty URL) the embedded journal of
   * {@code dataDir}, started if it is a PostgreSQL server: the one the data
   * directory holds, else the one {@code journal} names.
   */
  public static JournalDatabase open(String dbUrl, String dbUser, String dbPassword, Path dataDir, Journal journal) {
    if (dbUrl.isEmpty()) {
      Path dir = dataDir.toAbsolutePath().normalize();
      return switch (embeddedIn(dir).orElse(journal)) {
        case EMBEDDED_POSTGRES -> embeddedPostgres(EmbeddedPostgresServer.start(dir));
        case H2 -> embeddedH2(dir, journal);
      };
    }
    String url = dbUrl;
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), not " + url);
    }
    return postgres(url, dbUser, dbPassword, Optional.empty());
  }

  /**
   * The database that {@link #pekkoConfig(int)} put into {@code config}, as
   * the journal plugin, which Pekko Persistence starts, finds it.
   */
  public static JournalDatabase fromPekkoConfig(Config config) {
    Config shared = config.getConfig("pekko-persistence-jdbc.shared-databases.slick");
    String profile = shared.getString("profile");
    Config db = shared.getConfig("db");
    return new JournalDatabase(db.getString("url"), db.getString("user"), db.getString("password"),
        db.getString("driver"), profile, profile.contains("H2") ? "h2" : "postgresql", Optional.empty());
  }

  /** The embedded journal that {@code dataDir} already holds, if any. */
  public static Optional<Journal> embeddedIn(Path dataDir) {
    if (EmbeddedPostgresServer.existsIn(dataDir)) return Optional.of(Journal.EMBEDDED_POSTGRES);
    if (Files.isRegularFile(h2File(dataDir))) return Optional.of(Journal.H2);
    return Optional.empty();
  }

  private static JournalDatabase postgres(String url, String user, String password,
                                          Optional<EmbeddedPostgresServer> server) {
    if (!url.contains("reWriteBatchedInserts")) {
      url += (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }
    return new JournalDatabase(url, user, password, "org.postgresql.Driver", "slick.jdbc.PostgresProfile$",
        "postgresql", server);
  }

  private static JournalDatabase embeddedPostgres(EmbeddedPostgresServer server) {
    return postgres(server.jdbcUrl(), server.user(), server.password(), Optional.of(server));
  }

  private static Path h2File(Path dataDir) {
    return dataDir.resolve("journal").resolve("actorkv.mv.db");
  }

  /**
   * WRITE_DELAY=0: H2 otherwise acknowledges a commit up to 500 ms before
   * writing it. The journal then forces each batch to disk ({@link #sync}),
   * so an acknowledged write survives a power loss. DB_CLOSE_ON_EXIT=FALSE
   * leaves closing to the node's shutdown, after the last write.
   */
  static JournalDatabase embeddedH2(Path dataDir, Journal asked) {
    if (asked != Journal.H2) {
      log.info("{} holds an H2 journal, which serves strong writes more slowly than the embedded PostgreSQL "
          + "journal a new data directory gets. Moving it: docs/operations.md, "
          + "\"From the H2 journal to embedded PostgreSQL\".", dataDir);
    }
    String file = h2File(dataDir).toString().replaceFirst("\\.mv\\.db$", "");
    return new JournalDatabase("jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", "sa", "",
        "org.h2.Driver", "slick.jdbc.H2Profile$", "h2", Optional.empty());
  }

  /**
   * Makes what {@code c} committed durable, on stable storage, as a write
   * must be before it is acknowledged. PostgreSQL's commit has done so (its
   * WAL flushed), so nothing is left to do. H2's MVStore writes a commit to
   * its file but forces the file only when told: {@code CHECKPOINT SYNC}
   * stores what is committed and forces (fsyncs) the file, one fsync for
   * every row committed before it.
   */
  public void sync(Connection c) throws SQLException {
    if (!vendor.equals("h2")) return;
    try (Statement s = c.createStatement()) {
      s.execute("CHECKPOINT SYNC");
    }
  }

  /** Stops the embedded PostgreSQL server, if this started one; nothing otherwise. */
  @Override
  public void close() {
    server.ifPresent(EmbeddedPostgresServer::close);
  }

  /** A new connection to the database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /**
   * A pool of its own of at most {@code size} read-only connections, for
   * readers of the journal (the change feed, the audit endpoint) that must
   * neither wait behind the journal's writes nor hold its connections.
   */
  public HikariDataSource readerPool(String name, int size) {
    return pool(name, size, true);
  }

  /** A pool of its own of at most {@code size} connections, for a writer apart from the journal (the key index). */
  public HikariDataSource writerPool(String name, int size) {
    return pool(name, size, false);
  }

  /**
   * A pool of its own of {@code size} connections for the journal plugin,
   * outside auto-commit. A connection that waits on the database longer than
   * {@code timeoutMillis} fails, as Pekko's journals fail a call that
   * outlives their circuit breaker's call timeout.
   */
  public HikariDataSource journalPool(String name, int size, long timeoutMillis) {
    HikariConfig config = poolConfig(name, size);
    config.setMinimumIdle(size);
    config.setAutoCommit(false);
    // Started while the database is away, the pool starts empty and connects once it is back.
    config.setInitializationFailTimeout(-1);
    config.setConnectionTimeout(Math.max(250, timeoutMillis));
    if (vendor.equals("postgresql")) {
      config.addDataSourceProperty("socketTimeout", Math.max(1, (timeoutMillis + 999) / 1000));
    }
    return new HikariDataSource(config);
  }

  private HikariDataSource pool(String name, int size, boolean readOnly) {
    HikariConfig config = poolConfig(name, size);
    config.setMinimumIdle(0);
    config.setReadOnly(readOnly);
    return new HikariDataSource(config);
  }

  private HikariConfig poolConfig(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setDriverClassName(driver);
    config.setMaximumPoolSize(size);
    return config;
  }

  /** A table or column name as this database's schema spells it: H2's were created quoted, in lower case. */
  public String name(String identifier) {
    return vendor.equals("h2") ? "\"" + identifier + "\"" : identifier;
  }

  /** Creates or upgrades the schema; safe to run on every start. */
  public void migrate() {
    flyway().migrate();
  }

  /** The schema version Flyway last applied to this database ("2"), or empty if it was never migrated. */
  public Optional<String> schemaVersion() {
    MigrationInfo current = flyway().info().current();
    return current == null || current.getVersion() == null ? Optional.empty()
        : Optional.of(current.getVersion().getVersion());
  }

  /** The newest schema version this release migrates to. */
  public String latestSchemaVersion() {
    return Arrays.stream(flyway().info().all())
        .map(MigrationInfo::getVersion)
        .filter(Objects::nonNull)
        .max(MigrationVersion::compareTo)
        .orElseThrow()
        .getVersion();
  }

  /** Whether schema version {@code a} comes before {@code b}, as Flyway orders versions ("2" before "10"). */
  public static boolean schemaBefore(String a, String b) {
    return MigrationVersion.fromVersion(a).compareTo(MigrationVersion.fromVersion(b)) < 0;
  }

  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(url, user, password)
        .locations("classpath:db/migration/" + vendor)
        .load();
  }

  /**
   * The secret of this name that every node of the cluster shares: read from
   * the database, or made (32 random bytes) and stored by the first node that
   * asks. Nodes that ask at once all get the one that was stored first.
   */
  public byte[] secret(String name) {
    String table = name("actorkv_secret");
    String nameColumn = name("name");
    String secretColumn = name("secret");
    try (Connection c = connect()) {
      byte[] stored = readSecret(c, table, nameColumn, secretColumn, name);
      if (stored != null) return stored;
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO " + table + " (" + nameColumn + ", " + secretColumn + ") VALUES (?, ?)")) {
        insert.setString(1, name);
        insert.setBytes(2, fresh);
        insert.executeUpdate();
      } catch (SQLException raced) {
        // Another node stored one first (the primary key refused ours): that one is read below.
      }
      stored = readSecret(c, table, nameColumn, secretColumn, name);
      if (stored == null) throw new IllegalStateException("secret " + name + " could be neither read nor stored");
      return stored;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the cluster's secret " + name + " from " + url, e);
    }
  }

  private static byte[] readSecret(Connection c, String table, String nameColumn, String secretColumn, String name)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT " + secretColumn + " FROM " + table + " WHERE " + nameColumn + " = ?")) {
      select.setString(1, name);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  /** The shared Slick database that journal, snapshot store and read journal use. */
  public Config pekkoConfig(int poolSize) {
    return ConfigFactory.parseMap(Map.of(
        "pekko-persistence-jdbc.shared-databases.slick.profile", slickProfile,
        "pekko-persistence-jdbc.shared-databases.slick.db", Map.of(
            "url", url,
            "user", user,
            "password", password,
            "driver", driver,
            "numThreads", poolSize,
            "maxConnections", poolSize,
            "minConnections", poolSize,
            "connectionTimeout", 5000)));
  }
}
