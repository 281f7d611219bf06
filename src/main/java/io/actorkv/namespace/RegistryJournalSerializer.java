package io.actorkv.namespace;

import io.actorkv.base.JournalSerializer;
import java.util.Map;

/**
 * The stable names of the namespace registry's events and state in the
 * journal. Events written before these names existed (under Pekko's
 * jackson-cbor, named by class) still load: serialization.conf allows those
 * classes.
 */
public final class RegistryJournalSerializer extends JournalSerializer {

  static final Map<String, Class<?>> TYPES = Map.of(
      "namespace.created", NamespaceRegistry.Created.class,
      "namespace.removed", NamespaceRegistry.Removed.class,
      "namespace.shredded", NamespaceRegistry.Shredded.class,
      "namespace.registry", NamespaceRegistry.State.class);

  public RegistryJournalSerializer() {
    super(730_003, TYPES);
  }
}
