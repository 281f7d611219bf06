package io.actorkv.journal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class SqlJournalSettingsTest {

  private static Config journal(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).getConfig("actorkv-journal");
  }

  @Test
  void theShippedSettingsAreAccepted() {
    assertDoesNotThrow(() -> SqlJournal.checkSettings(journal("")));
  }

  @Test
  void aSettingBelowOneIsRefusedByName() {
    for (String setting : new String[] {"writers", "batch-size", "buffer-size", "readers"}) {
      var refused = assertThrows(IllegalArgumentException.class,
          () -> SqlJournal.checkSettings(journal("actorkv-journal." + setting + " = 0")));
      assertTrue(refused.getMessage().startsWith("actorkv-journal." + setting + " must be at least 1"),
          refused.getMessage());
    }
  }

  @Test
  void aBufferSmallerThanTheWritersIsRefused() {
    var refused = assertThrows(IllegalArgumentException.class,
        () -> SqlJournal.checkSettings(journal("actorkv-journal { writers = 4, buffer-size = 3 }")));
    assertTrue(refused.getMessage().contains("each writer has a share"), refused.getMessage());
  }
}
