package io.actorkv.store;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A condition on the key's current state that a write requires. A strong
 * key checks it inside its entity, between the same two events as the
 * write, so compare-and-set is atomic; an eventual key takes only
 * {@link IfAbsent}, checked on the node that answers. Travels inside
 * commands to the key's node, hence the explicit type names.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Precondition.None.class, name = "none"),
    @JsonSubTypes.Type(value = Precondition.IfPresent.class, name = "if-present"),
    @JsonSubTypes.Type(value = Precondition.IfAbsent.class, name = "if-absent"),
    @JsonSubTypes.Type(value = Precondition.IfRevision.class, name = "if-revision")})
public sealed interface Precondition {

  /** Holds whether or not the key exists. */
  record None() implements Precondition {}

  /** The key exists ({@code If-Match: *}). */
  record IfPresent() implements Precondition {}

  /** The key does not exist ({@code If-None-Match: *}). */
  record IfAbsent() implements Precondition {}

  /** The key exists at exactly this revision ({@code If-Match: "n"}). */
  record IfRevision(long revision) implements Precondition {}

  Precondition NONE = new None();

  default boolean holds(boolean exists, long revision) {
    if (this instanceof IfPresent) return exists;
    if (this instanceof IfAbsent) return !exists;
    if (this instanceof IfRevision r) return exists && r.revision() == revision;
    return true;
  }
}
