package io.actorkv.store;

import java.util.Objects;

/** Who a request acts for; recorded in every change it makes. */
public record Principal(String name) {

  public Principal {
    Objects.requireNonNull(name, "name");
  }
}
