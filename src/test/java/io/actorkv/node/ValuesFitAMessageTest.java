package io.actorkv.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A value the API accepts must be readable from every node: a strong value
 * travels in one Artery message, so a limit over the frame size would store
 * values that other nodes can never read. Such a node refuses to start.
 */
class ValuesFitAMessageTest {

  @Test
  void theShippedLimitsFit() {
    Config config = NodeConfig.of(Map.of(), ConfigFactory.empty());
    assertDoesNotThrow(() -> Node.checkValuesFitAMessage(ActorKvSettings.from(config), config));
  }

  @Test
  void aValueLimitAtTheFrameSizeRefusesToStartAndSaysWhatToChange() {
    Config config = NodeConfig.of(Map.of(Setting.MAX_VALUE_BYTES, 2 * 1024 * 1024), ConfigFactory.empty());
    var refused = assertThrows(IllegalArgumentException.class,
        () -> Node.checkValuesFitAMessage(ActorKvSettings.from(config), config));
    assertTrue(refused.getMessage().contains("maximum-frame-size"), refused.getMessage());
  }

  @Test
  void aLargerFrameMakesRoomForALargerLimit() {
    Config config = NodeConfig.of(Map.of(Setting.MAX_VALUE_BYTES, 2 * 1024 * 1024),
        ConfigFactory.parseString("pekko.remote.artery.advanced.maximum-frame-size = 4 MiB"));
    assertDoesNotThrow(() -> Node.checkValuesFitAMessage(ActorKvSettings.from(config), config));
  }
}
