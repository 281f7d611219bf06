package io.actorkv.namespace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How an eventual namespace settles concurrent writes to one key. */
public enum Conflicts {
  /** The write with the latest timestamp wins; ties go to the higher node address. */
  LWW,
  /** Every concurrent value is kept until a client writes back with their context. */
  SIBLINGS;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for anything but "lww" or "siblings" */
  @JsonCreator
  public static Conflicts fromWire(String name) {
    for (Conflicts c : values()) {
      if (c.wireName().equals(name)) return c;
    }
    throw new IllegalArgumentException("conflicts must be \"lww\" or \"siblings\", not \"" + name + "\"");
  }
}
