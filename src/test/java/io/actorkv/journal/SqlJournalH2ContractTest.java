package io.actorkv.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;

/** Our journal plugin ({@link SqlJournal}) as a node configures it on the embedded H2 journal ({@code --journal h2}). */
class SqlJournalH2ContractTest extends JournalContractTest {

  SqlJournalH2ContractTest() {
    super("actorkv-journal");
  }

  @Override
  protected Config journalConfig(Path dataDir) {
    return nodeJournal(dataDir, null);
  }
}
