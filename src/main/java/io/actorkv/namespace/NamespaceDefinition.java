package io.actorkv.namespace;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorkv.base.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A namespace as created: its name, its mode and when it was created, and for
 * eventual namespaces how conflicts are settled, the default read and write
 * levels, the default time to live ({@code null}: none) and how many buckets
 * its keys are spread over. The eventual fields are {@code null} for strong
 * namespaces. Nothing here changes after creation.
 *
 * <p>{@code incarnation} counts the namespaces of this name created before
 * this one: its keys are stored under {@link #storageName}, so a namespace
 * removed and created again starts empty (0, the first, is not shown).
 *
 * <p>{@code history}, strong namespaces only: how many of each key's latest
 * revisions the journal keeps at least; {@code null}, every revision.
 *
 * <p>{@code shreddedAt}: when the namespace was shredded (its data key
 * destroyed, so nothing it held can be read again); {@code null} while it
 * was not. A shredded namespace stays listed, and answers 410 to every
 * request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NamespaceDefinition(String name, Mode mode, Instant createdAt, Conflicts conflicts, Level write,
                                  Level read, String ttl, Integer buckets,
                                  @JsonInclude(JsonInclude.Include.NON_DEFAULT) long incarnation,
                                  Integer history, Instant shreddedAt)
    implements CborSerializable {

  /** The built-in strong namespace: always there, never removed. */
  public static final String DEFAULT = "default";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  static final NamespaceDefinition BUILT_IN = strong(DEFAULT, Instant.EPOCH);

  public static NamespaceDefinition strong(String name, Instant createdAt) {
    return strong(name, createdAt, null);
  }

  /**
   * A strong namespace whose keys keep at least their {@code history} latest revisions ({@code null}: all).
   * @throws IllegalArgumentException if history is out of range
   */
  public static NamespaceDefinition strong(String name, Instant createdAt, Integer history) {
    if (history != null && (history < 1 || history > MAX_HISTORY)) {
      throw new IllegalArgumentException("history must be \"all\" or from 1 to " + MAX_HISTORY + " revisions, not "
          + history);
    }
    return new NamespaceDefinition(name, Mode.STRONG, createdAt, null, null, null, null, null, 0, history, null);
  }

  /** The most revisions a retention can name: more is as good as all. */
  public static final int MAX_HISTORY = 1_000_000;

  /** How many revisions each key keeps at least; 0: all of them. */
  @JsonIgnore
  public int keptRevisions() {
    return history == null ? 0 : history;
  }

  /** @throws IllegalArgumentException if the ttl is not valid {@link TtlSyntax} or buckets is out of range */
  public static NamespaceDefinition eventual(String name, Instant createdAt, Conflicts conflicts, Level write,
                                             Level read, String ttl, int buckets) {
    if (ttl != null) TtlSyntax.parse(ttl);
    if (buckets < 1 || buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("buckets must be from 1 to " + MAX_BUCKETS + ", not " + buckets);
    }
    return new NamespaceDefinition(name, Mode.EVENTUAL, createdAt, conflicts, write, read, ttl, buckets, 0, null,
        null);
  }

  /** Distributed Data copes with about 100,000 top-level entries in all; this keeps room for many namespaces. */
  public static final int MAX_BUCKETS = 1024;

  /** The time to live a write gets when it names none; {@code null}: values do not expire. */
  @JsonIgnore
  public Duration defaultTtl() {
    return ttl == null ? null : TtlSyntax.parse(ttl);
  }

  /** Whether {@code other} asks for the same namespace, ignoring when each was made and how many came before. */
  public boolean sameShape(NamespaceDefinition other) {
    return withCreatedAt(Instant.EPOCH).withIncarnation(0).equals(other.withCreatedAt(Instant.EPOCH).withIncarnation(0));
  }

  public NamespaceDefinition withCreatedAt(Instant at) {
    return new NamespaceDefinition(name, mode, at, conflicts, write, read, ttl, buckets, incarnation, history,
        shreddedAt);
  }

  NamespaceDefinition withIncarnation(long n) {
    return new NamespaceDefinition(name, mode, createdAt, conflicts, write, read, ttl, buckets, n, history,
        shreddedAt);
  }

  NamespaceDefinition withShreddedAt(Instant at) {
    return new NamespaceDefinition(name, mode, createdAt, conflicts, write, read, ttl, buckets, incarnation, history,
        at);
  }

  @JsonIgnore
  public boolean shredded() {
    return shreddedAt != null;
  }

  /**
   * The name its keys are stored under, in entity ids and bucket keys: the
   * name, and from the second namespace of that name on, {@code ~} and its
   * incarnation, which no namespace name can contain.
   */
  @JsonIgnore
  public String storageName() {
    return incarnation == 0 ? name : name + "~" + incarnation;
  }

  /** The namespace's name in a {@link #storageName}, as clients name it. */
  public static String nameOf(String storageName) {
    int tilde = storageName.indexOf('~');
    return tilde < 0 ? storageName : storageName.substring(0, tilde);
  }

  /** The incarnation in a {@link #storageName}: 0 for the first namespace of the name. */
  public static long incarnationOf(String storageName) {
    int tilde = storageName.indexOf('~');
    return tilde < 0 ? 0 : Long.parseLong(storageName.substring(tilde + 1));
  }
}
