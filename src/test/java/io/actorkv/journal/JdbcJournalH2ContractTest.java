package io.actorkv.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;

/** pekko-persistence-jdbc's journal as a node configures it on the embedded H2 journal ({@code --journal h2}). */
class JdbcJournalH2ContractTest extends JournalContractTest {

  JdbcJournalH2ContractTest() {
    super("jdbc-journal");
  }

  @Override
  protected Config journalConfig(Path dataDir) {
    return nodeJournal(dataDir, null);
  }
}
