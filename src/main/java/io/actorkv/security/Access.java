package io.actorkv.security;

import io.actorkv.store.KeyRange;

import java.util.List;
import java.util.Optional;

/**
 * What one principal may do: the grants of all its roles. Resolved from the
 * access rules for each principal and kept until the rules change.
 */
public final class Access {

  /** Everything: a node without authentication, where every request acts for the anonymous principal. */
  public static final Access ALL = new Access(List.of(Role.ROOT_ROLE.grants().get(0)));
  static final Access NONE = new Access(List.of());

  private final List<Grant> grants;

  Access(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  public List<Grant> grants() {
    return grants;
  }

  /** Whether it may do {@code wanted} to key {@code key} of namespace {@code ns}. */
  public boolean permits(Permission wanted, String ns, String key) {
    for (Grant g : grants) {
      if (g.allows(wanted, ns, key)) return true;
    }
    return false;
  }

  /** Whether it may do {@code wanted} to every key {@code range} of {@code ns} can hold. */
  public boolean permitsRange(Permission wanted, String ns, KeyRange range) {
    for (Grant g : grants) {
      if (g.allowsRange(wanted, ns, range)) return true;
    }
    return false;
  }

  /**
   * Whether it may do {@code wanted} to every key of {@code ns}: what
   * managing a namespace takes; with {@link Grant#ALL_NAMESPACES}, every
   * namespace, which is what managing the cluster and its rules takes.
   */
  public boolean permitsWhole(Permission wanted, String ns) {
    for (Grant g : grants) {
      if (g.permission().includes(wanted) && g.prefix().isEmpty()
          && (g.namespace().equals(Grant.ALL_NAMESPACES) || g.namespace().equals(ns))) {
        return true;
      }
    }
    return false;
  }

  /** Whether any grant names {@code ns} (or every namespace): such a namespace shows in listings. */
  public boolean seesNamespace(String ns) {
    for (Grant g : grants) {
      if (g.coversNamespace(ns)) return true;
    }
    return false;
  }

  /**
   * The key prefixes of {@code ns} it may read: empty when it may read every
   * key, else the granted prefixes (an empty list: none).
   */
  public Optional<List<String>> readablePrefixes(String ns) {
    if (permitsWhole(Permission.READ, ns)) return Optional.empty();
    return Optional.of(grants.stream()
        .filter(g -> g.permission().includes(Permission.READ) && g.coversNamespace(ns))
        .map(Grant::prefix).distinct().toList());
  }
}
