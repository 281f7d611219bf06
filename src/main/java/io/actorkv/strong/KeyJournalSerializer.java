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
      "kv.revert", KeyEvent.ValueReverted.class,
      "kv.state", KeyState.class);

  private static final Map<Class<?>, String> NAMES = TYPES.entrySet().stream()
      .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));

  /** The serializer id of Pekko's jackson-cbor, under which release 0.1 stored events. */
  private static final int JACKSON_CBOR = 33;
  private static final String LEGACY_PREFIX = "io.actorkv.strong.KeyEvent$";
  private static final KeyJournalSerializer STANDALONE = new KeyJournalSerializer();

  /**
   * A key's event from a journal row, with no actor system: for tools that
   * read the database directly ({@code actorkv audit}). Rows of release 0.1
   * (Pekko's jackson-cbor, named by class) hold the same fields and read
   * alike.
   *
   * @throws java.io.NotSerializableException for a row that is not a key's event
   */
  public static KeyEvent decode(int serializerId, String manifest, byte[] payload)
      throws java.io.NotSerializableException {
    String name = manifest;
    if (serializerId == JACKSON_CBOR && manifest.startsWith(LEGACY_PREFIX)) {
      name = switch (manifest.substring(LEGACY_PREFIX.length())) {
        case "ValuePut" -> "kv.put";
        case "ValueDeleted" -> "kv.delete";
        case "CounterIncremented" -> "kv.increment";
        case "ValueExpired" -> "kv.expire";
        default -> manifest;
      };
    } else if (serializerId != STANDALONE.identifier()) {
      throw new java.io.NotSerializableException("serializer " + serializerId + " is not a key's event's");
    }
    Object event = STANDALONE.fromBinary(payload, name);
    if (!(event instanceof KeyEvent e)) throw new java.io.NotSerializableException(name + " is not an event");
    return e;
  }

  /** The stable name of {@code event}'s type. */
  public static String nameOf(KeyEvent event) {
    return NAMES.get(event.getClass());
  }

  public KeyJournalSerializer() {
    super(730_002, TYPES);
  }
}
