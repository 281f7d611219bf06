package io.actorkv.namespace;

import io.actorkv.CborSerializable;
import java.time.Instant;
import java.util.regex.Pattern;

/** A namespace as created: its name, its mode and when it was created. */
public record NamespaceDefinition(String name, Mode mode, Instant createdAt) implements CborSerializable {

  /** The built-in strong namespace: always there, never removed. */
  public static final String DEFAULT = "default";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  static final NamespaceDefinition BUILT_IN = new NamespaceDefinition(DEFAULT, Mode.STRONG, Instant.EPOCH);
}
