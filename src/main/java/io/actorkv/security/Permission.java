package io.actorkv.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a grant allows, each including the ones before it: write can read, admin can write and read. */
public enum Permission {
  READ,
  WRITE,
  /** Also: manage the namespace (on a whole namespace), or the cluster and its rules (on every namespace). */
  ADMIN;

  public boolean includes(Permission other) {
    return compareTo(other) >= 0;
  }

  @JsonValue
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Permission parse(String value) {
    for (Permission p : values()) {
      if (p.value().equals(value)) return p;
    }
    throw new IllegalArgumentException("permission must be read, write or admin, not '" + value + "'");
  }
}
