package io.actorkv.store;

import java.util.List;
import java.util.Objects;

/**
 * Who a request acts for; its {@code name} is recorded in every change it
 * makes. With authentication on, the name is the token's subject and
 * {@code claimedRoles} the values of its role claim, from which the node's
 * access rules decide what it may do; without, every request acts for the
 * configured anonymous name and may do everything.
 */
public record Principal(String name, List<String> claimedRoles) {

  public Principal {
    Objects.requireNonNull(name, "name");
    claimedRoles = List.copyOf(claimedRoles);
  }

  /** A principal that claims no role. */
  public Principal(String name) {
    this(name, List.of());
  }
}
