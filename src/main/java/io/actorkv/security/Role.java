package io.actorkv.security;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A named set of grants, and the admin who last defined it, when. */
public record Role(String name, List<Grant> grants, String updatedBy, Instant updatedAt) {

  /** The built-in role: admin on every key of every namespace. A token that claims it needs no binding. */
  public static final String ROOT = "root";
  static final Role ROOT_ROLE = new Role(ROOT, List.of(new Grant(Permission.ADMIN, Grant.ALL_NAMESPACES, "")),
      "built-in", Instant.EPOCH);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

  public Role {
    Objects.requireNonNull(name, "name");
    grants = List.copyOf(grants);
  }

  /** @throws IllegalArgumentException naming what is wrong with {@code name} as a role's or binding's name */
  static String checkName(String what, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " must be 1 to 128 letters, digits, '_', '.', ':' or '-', "
          + "starting with a letter or digit, not '" + name + "'");
    }
    return name;
  }

  /**
   * A subject or role-claim value as a token carries it: identity providers
   * use '@', '|', '/' and spaces ("auth0|5f1c", "/org/ops"), so anything but
   * control characters, 1 to 256 of them.
   * @throws IllegalArgumentException saying what is wrong
   */
  static String checkTokenValue(String what, String value) {
    if (value.isEmpty() || value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " must be 1 to 256 characters, none of them control characters");
    }
    return value;
  }
}
