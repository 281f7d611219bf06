package io.actorkv.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The SQL database behind the journal and snapshot store: PostgreSQL when a
 * URL is given, otherwise an embedded H2 file database in the data directory.
 * Its schema is migrated by Flyway at start-up; on PostgreSQL Flyway holds an
 * advisory lock, so nodes starting together migrate once.
 */
public record JournalDatabase(String url, String user, String password, String driver, String slickProfile,
                              String vendor) {

  public static JournalDatabase of(ActorKvSettings settings) {
    if (settings.embeddedDatabase()) {
      return embeddedH2(settings.dataDir());
    }
    String url = settings.dbUrl();
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), not " + url);
    }
    if (!url.contains("reWriteBatchedInserts")) {
      url += (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }
    return new JournalDatabase(url, settings.dbUser(), settings.dbPassword(), "org.postgresql.Driver",
        "slick.jdbc.PostgresProfile$", "postgresql");
  }

  /**
   * WRITE_DELAY=0: H2 otherwise acknowledges a commit up to 500 ms before
   * writing it, and a killed process would lose acknowledged writes. H2 still
   * does not fsync each commit, so this survives a process crash, not a power
   * loss; use PostgreSQL for that. DB_CLOSE_ON_EXIT=FALSE leaves closing to
   * the node's shutdown, after the last write.
   */
  static JournalDatabase embeddedH2(Path dataDir) {
    String file = dataDir.resolve("journal").resolve("actorkv").toString();
    return new JournalDatabase("jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", "sa", "",
        "org.h2.Driver", "slick.jdbc.H2Profile$", "h2");
  }

  /** Creates or upgrades the schema; safe to run on every start. */
  public void migrate() {
    Flyway.configure()
        .dataSource(url, user, password)
        .locations("classpath:db/migration/" + vendor)
        .load()
        .migrate();
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
