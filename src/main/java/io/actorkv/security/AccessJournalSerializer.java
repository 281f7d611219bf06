package io.actorkv.security;

import io.actorkv.base.JournalSerializer;
import java.util.Map;

/** The stable names of the access registry's events and state in the journal. */
public final class AccessJournalSerializer extends JournalSerializer {

  static final Map<String, Class<?>> TYPES = Map.of(
      "access.role-defined", AccessRegistry.RoleDefined.class,
      "access.role-removed", AccessRegistry.RoleRemoved.class,
      "access.binding-set", AccessRegistry.BindingSet.class,
      "access.binding-removed", AccessRegistry.BindingRemoved.class,
      "access.subject-revoked", AccessRegistry.SubjectRevoked.class,
      "access.revocation-lifted", AccessRegistry.RevocationLifted.class);

  public AccessJournalSerializer() {
    super(730_004, TYPES);
  }
}
