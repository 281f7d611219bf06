package io.actorkv.namespace;

import io.actorkv.base.CborSerializable;
import java.util.List;

/** What the namespace registry answers. */
public sealed interface NamespaceReply extends CborSerializable {

  record Created(NamespaceDefinition definition) implements NamespaceReply {}

  /** A namespace of that name exists already; nothing changed. */
  record AlreadyExists(NamespaceDefinition definition) implements NamespaceReply {}

  record Removed(String name) implements NamespaceReply {}

  record NotFound(String name) implements NamespaceReply {}

  /** The namespace still holds live keys; it was not removed. */
  record NotEmpty(String name) implements NamespaceReply {}

  /** The namespace was shredded: its name answers 410 from now on, and is never used again. */
  record Shredded(NamespaceDefinition definition) implements NamespaceReply {}

  /** The namespace cannot be shredded ({@code reason} says why); nothing changed. */
  record CannotShred(String name, String reason) implements NamespaceReply {}

  /** The built-in namespace cannot be created or removed. */
  record BuiltIn(String name) implements NamespaceReply {}

  /** A namespace of that name exists with a different definition; nothing changed (definitions never change). */
  record Conflicting(NamespaceDefinition existing) implements NamespaceReply {}

  /** The answer to creating {@code requested} where {@code existing} is already defined. */
  static NamespaceReply exists(NamespaceDefinition existing, NamespaceDefinition requested) {
    return existing.sameShape(requested) ? new AlreadyExists(existing) : new Conflicting(existing);
  }

  /** Every stored definition as of registry revision {@code revision}. */
  record Listing(long revision, List<NamespaceDefinition> definitions) implements NamespaceReply {}
}
