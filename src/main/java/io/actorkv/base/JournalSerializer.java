package io.actorkv.base;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Events, states and snapshots as the journal keeps them: each under a
 * stable type name of ours as its manifest (never a Java class name, which
 * a refactoring would change), its fields as CBOR. The names are a
 * contract: old journals must load, and a history or feed shows them.
 *
 * <p>How a type evolves (docs/architecture.md, "Events as a contract"):
 * a field may be added (older events read it as absent) or left unused,
 * never renamed or given another meaning; a change that old events cannot
 * be read into gets a new name, and the old name stays readable. A name this
 * release does not know fails recovery loudly instead of being guessed at.
 */
public abstract class JournalSerializer extends SerializerWithStringManifest {

  /** Deliberately Pekko's jackson-cbor settings, so that events written before the names existed read alike. */
  private static final ObjectMapper CBOR = CBORMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .addModule(new ParameterNamesModule(JsonCreator.Mode.PROPERTIES))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final int identifier;
  private final Map<String, Class<?>> types;
  private final Map<Class<?>, String> names = new HashMap<>();

  /** @param types every type this serializer writes, by its stable name */
  protected JournalSerializer(int identifier, Map<String, Class<?>> types) {
    this.identifier = identifier;
    this.types = Map.copyOf(types);
    types.forEach((name, type) -> {
      if (names.put(type, name) != null) throw new IllegalArgumentException(type + " has two names");
    });
  }

  @Override
  public int identifier() {
    return identifier;
  }

  /** The stable name of {@code o}'s type. */
  @Override
  public String manifest(Object o) {
    String name = names.get(o.getClass());
    if (name == null) throw new IllegalArgumentException("no journal type name for " + o.getClass().getName());
    return name;
  }

  @Override
  public byte[] toBinary(Object o) {
    manifest(o);
    try {
      return CBOR.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + o.getClass().getName(), e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Class<?> type = types.get(manifest);
    if (type == null) {
      throw new NotSerializableException("unknown journal type '" + manifest
          + "': written by a newer release? Known: " + types.keySet());
    }
    try {
      return CBOR.readValue(bytes, type);
    } catch (IOException e) {
      throw (NotSerializableException) new NotSerializableException("corrupt " + manifest + ": " + e.getMessage())
          .initCause(e);
    }
  }
}
