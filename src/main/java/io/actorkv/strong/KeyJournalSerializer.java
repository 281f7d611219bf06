package io.actorkv.strong;

import io.actorkv.base.JournalSerializer;
import java.util.Map;

/**
 * The stable names of a strong key's events and snapshot in the journal.
 * Events written before these names existed (under Pekko's jackson-cbor,
 * named by class) still load: serialization.conf allows those classes.
 */
public final class KeyJournalSerializer extends JournalSerializer {

  static final Map<String, Class<?>> TYPES = Map.of(
      "kv.put", KeyEvent.ValuePut.class,
      "kv.delete", KeyEvent.ValueDeleted.class,
      "kv.increment", KeyEvent.CounterIncremented.class,
      "kv.expire", KeyEvent.ValueExpired.class,
      "kv.state", KeyState.class);

  public KeyJournalSerializer() {
    super(730_002, TYPES);
  }
}
