package io.actorkv.namespace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a namespace keeps its keys; fixed when the namespace is created. */
public enum Mode {
  /** One event-sourced entity per key: linearizable, durable in the journal. */
  STRONG,
  /** CRDTs in Distributed Data: available under partition, converging later. */
  EVENTUAL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for anything but "strong" or "eventual" */
  @JsonCreator
  public static Mode fromWire(String name) {
    for (Mode m : values()) {
      if (m.wireName().equals(name)) return m;
    }
    throw new IllegalArgumentException("mode must be \"strong\" or \"eventual\", not \"" + name + "\"");
  }
}
