package io.actorkv.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The roles given to every token of one subject ({@code sub}), or to every
 * token whose role claim holds one value (a group of an identity provider,
 * or a role named when the token was minted), and the admin who last set
 * them, when.
 */
public record Binding(Kind kind, String name, List<String> roles, String updatedBy, Instant updatedAt) {

  /** What a binding matches in a token. */
  public enum Kind {
    SUBJECT,
    CLAIM;

    @JsonValue
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Kind parse(String value) {
      for (Kind k : values()) {
        if (k.value().equals(value)) return k;
      }
      throw new IllegalArgumentException("a binding is for a subject or a claim, not '" + value + "'");
    }
  }

  public Binding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    roles = List.copyOf(roles);
  }

  /** The key of the binding in the rules: kind and name. */
  String id() {
    return id(kind, name);
  }

  static String id(Kind kind, String name) {
    return kind.value() + ":" + name;
  }
}
