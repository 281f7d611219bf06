package io.actorkv.security;

import io.actorkv.base.CborSerializable;
import io.actorkv.store.Principal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster's access rules as of one registry revision: roles by name,
 * bindings by kind and name, and the subjects whose older tokens are
 * revoked. Also the registry's state, and what it publishes to every node
 * after each change.
 */
public record AccessRules(long revision, Map<String, Role> roles, Map<String, Binding> bindings,
                          Map<String, Revocation> revocations) implements CborSerializable {

  static final AccessRules EMPTY = new AccessRules(0, Map.of(), Map.of(), Map.of());

  public AccessRules {
    roles = new TreeMap<>(roles);
    bindings = new TreeMap<>(bindings);
    // Absent in rules published by a node of a version without revocations.
    revocations = revocations == null ? Map.of() : new TreeMap<>(revocations);
  }

  /** The revocation of {@code subject}'s tokens, if there is one. */
  public Optional<Revocation> revocationOf(String subject) {
    return Optional.ofNullable(revocations.get(subject));
  }

  /** The role of that name, the built-in one included; null if there is none. */
  public Role role(String name) {
    return name.equals(Role.ROOT) ? Role.ROOT_ROLE : roles.get(name);
  }

  /** The roles {@code principal} has: bound to its subject, bound to a value it claims, and root if it claims that. */
  List<String> rolesOf(Principal principal) {
    Set<String> names = new LinkedHashSet<>();
    Binding bySubject = bindings.get(Binding.id(Binding.Kind.SUBJECT, principal.name()));
    if (bySubject != null) names.addAll(bySubject.roles());
    for (String claimed : principal.claimedRoles()) {
      if (claimed.equals(Role.ROOT)) names.add(Role.ROOT);
      Binding byClaim = bindings.get(Binding.id(Binding.Kind.CLAIM, claimed));
      if (byClaim != null) names.addAll(byClaim.roles());
    }
    return List.copyOf(names);
  }

  Access accessOf(Principal principal) {
    List<Grant> grants = new ArrayList<>();
    for (String name : rolesOf(principal)) {
      Role role = role(name);
      if (role != null) grants.addAll(role.grants());
    }
    return grants.isEmpty() ? Access.NONE : new Access(grants);
  }
}
