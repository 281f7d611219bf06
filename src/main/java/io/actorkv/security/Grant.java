package io.actorkv.security;

import io.actorkv.store.KeyRange;
import java.util.Arrays;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A permission on the keys of one namespace (or of every namespace,
 * {@value #ALL_NAMESPACES}) that start with {@code prefix} (empty: all of
 * them), like a key range of etcd's RBAC.
 */
public record Grant(Permission permission, String namespace, String prefix) {

  public static final String ALL_NAMESPACES = "*";
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  public Grant {
    Objects.requireNonNull(permission, "a grant needs a permission: read, write or admin");
    Objects.requireNonNull(namespace, "a grant needs a namespace, or \"*\" for every namespace");
    if (!namespace.equals(ALL_NAMESPACES) && !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("a grant's namespace must be a namespace name or \"*\", not '"
          + namespace + "'");
    }
    prefix = prefix == null ? "" : prefix;
  }

  boolean coversNamespace(String ns) {
    return namespace.equals(ALL_NAMESPACES) || namespace.equals(ns);
  }

  /**
   * Whether it allows {@code wanted} on every key {@code range} of {@code ns}
   * can hold: the range lies within the granted prefix's, as etcd checks a
   * range against a permission's key range.
   */
  boolean allowsRange(Permission wanted, String ns, KeyRange range) {
    if (!permission.includes(wanted) || !coversNamespace(ns)) return false;
    if (prefix.isEmpty()) return true;
    KeyRange granted = KeyRange.prefix(prefix);
    if (Arrays.compareUnsigned(range.start(), granted.start()) < 0) return false;
    return granted.end().isEmpty()
        || range.end().isPresent() && Arrays.compareUnsigned(range.end().get(), granted.end().get()) <= 0;
  }

  /** Whether it allows {@code wanted} on key {@code key} of {@code ns}. */
  boolean allows(Permission wanted, String ns, String key) {
    return permission.includes(wanted) && coversNamespace(ns) && key.startsWith(prefix);
  }
}
