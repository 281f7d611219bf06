package io.actorkv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresMainTest {

  @Test
  void settingsAreNameEqualsValueAndTheValueMayHoldEquals() {
    assertEquals(Map.of("min_wal_size", "2GB", "log_line_prefix", "%m a=b "),
        EmbeddedPostgresMain.settings(List.of("min_wal_size=2GB", "log_line_prefix=%m a=b ")));
  }

  @Test
  void anArgumentWithoutANameIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> EmbeddedPostgresMain.settings(List.of("=2GB")));
    assertThrows(IllegalArgumentException.class, () -> EmbeddedPostgresMain.settings(List.of("CHECKPOINT")));
  }
}
