package io.actorkv.store;

import io.actorkv.namespace.Level;
import io.actorkv.namespace.NamespaceDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One operation on one key, as every transport hands it to a
 * {@link KeyValueStore}. The inputs of one mode travel here too ({@code level}
 * and {@code context} for eventual namespaces); the store of the other mode
 * refuses them with {@link KeyOutcome.Invalid}, so callers need not know the
 * modes apart.
 */
public sealed interface KeyRequest {

  NamespaceDefinition namespace();

  String key();

  /** The replicas an eventual request asks for; empty: the namespace's default, or a request that takes none. */
  default Optional<Level> level() {
    return Optional.empty();
  }

  /** The causal context an eventual write gives; empty if none, or a request that takes none. */
  default Optional<String> context() {
    return Optional.empty();
  }

  /**
   * Why a strong namespace refuses this request whatever its key holds, if
   * it does: a level or a context, which only eventual namespaces take.
   */
  default Optional<KeyOutcome.Invalid> refusedByStrong() {
    if (context().isPresent()) {
      return Optional.of(new KeyOutcome.Invalid("bad_context",
          "X-KV-Context applies to eventual namespaces; use If-Match with a revision in strong ones"));
    }
    if (level().isPresent()) {
      String name = this instanceof Get || this instanceof List ? "r" : "w";
      return Optional.of(new KeyOutcome.Invalid("bad_level",
          name + " applies to eventual namespaces; every request to a strong namespace is linearizable"));
    }
    return Optional.empty();
  }

  /**
   * Why an eventual namespace refuses this request whatever its key holds,
   * if it does: compare-and-set ({@code If-Match}), which needs a key's one
   * writer. {@code If-None-Match: *} is taken, checked on the answering node.
   */
  default Optional<KeyOutcome.Invalid> refusedByEventual() {
    Precondition pre = this instanceof Put put ? put.precondition()
        : this instanceof Delete delete ? delete.precondition() : Precondition.NONE;
    return pre instanceof Precondition.IfRevision || pre instanceof Precondition.IfPresent
        ? Optional.of(new KeyOutcome.Invalid("cas_requires_strong",
            "If-Match (compare-and-set) needs a strong namespace; eventual namespaces take X-KV-Context instead"))
        : Optional.empty();
  }

  /**
   * @param level eventual: how many replicas to read; empty: the namespace's default
   * @param revision strong: read the key as it was at this revision; empty: as it is
   */
  record Get(NamespaceDefinition namespace, String key, Optional<Level> level, OptionalLong revision)
      implements KeyRequest {
    public Get {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(revision, "revision");
    }

    /** A read of the key as it is. */
    public Get(NamespaceDefinition namespace, String key, Optional<Level> level) {
      this(namespace, key, level, OptionalLong.empty());
    }
  }

  /**
   * @param ttl empty: the namespace's default, which for strong namespaces is never
   * @param context eventual: the context of an earlier answer, whose versions this write supersedes
   */
  record Put(NamespaceDefinition namespace, String key, byte[] value, String contentType, Optional<Duration> ttl,
             Precondition precondition, Optional<String> context, Optional<Level> level) implements KeyRequest {
    public Put {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(ttl, "ttl");
      Objects.requireNonNull(precondition, "precondition");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(level, "level");
    }

    @Override
    public String toString() {
      return "Put[" + namespace.name() + ", " + key + ", " + value.length + " bytes, " + contentType + ", ttl=" + ttl
          + ", " + precondition + ", context=" + context + ", level=" + level + "]";
    }
  }

  record Delete(NamespaceDefinition namespace, String key, Precondition precondition, Optional<String> context,
                Optional<Level> level) implements KeyRequest {
    public Delete {
      Objects.requireNonNull(precondition, "precondition");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(level, "level");
    }
  }

  /**
   * Strong: stores the value and content type of revision {@code to} again,
   * as a new revision. {@code ttl} empty: the value never expires.
   */
  record Revert(NamespaceDefinition namespace, String key, long to, Optional<Duration> ttl,
                Precondition precondition) implements KeyRequest {
    public Revert {
      Objects.requireNonNull(ttl, "ttl");
      Objects.requireNonNull(precondition, "precondition");
    }
  }

  /**
   * Strong: the key's changes as the journal has them, {@code limit} at most,
   * from the newest (or the oldest) on; {@code before} (newest first) or
   * {@code after} (oldest first) is the revision a page continues from.
   */
  record History(NamespaceDefinition namespace, String key, boolean newestFirst, OptionalLong from, int limit)
      implements KeyRequest {
    public History {
      Objects.requireNonNull(from, "from");
      if (limit < 1) throw new IllegalArgumentException("limit must be positive");
    }
  }

  /**
   * The live keys of {@code range} in byte order, after the key {@code after}
   * (the last one of the page before), {@code limit} at most, with their
   * values if {@code withValues} while they fit in {@code maxValueBytes}
   * (at least one key always comes), or only how many there are if
   * {@code countOnly}. Eventual: {@code level} says how many replicas are
   * read and merged. {@link #key()} is the first key the range can hold.
   */
  record List(NamespaceDefinition namespace, KeyRange range, Optional<String> after, int limit, boolean withValues,
              long maxValueBytes, boolean countOnly, Optional<Level> level) implements KeyRequest {
    public List {
      Objects.requireNonNull(range, "range");
      Objects.requireNonNull(after, "after");
      Objects.requireNonNull(level, "level");
      if (limit < 1) throw new IllegalArgumentException("limit must be positive");
    }

    @Override
    public String key() {
      return new String(range.start(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Strong: deletes the live keys of {@code range}, {@code limit} at most,
   * each with an ordinary delete of its own (not atomically).
   * {@link #key()} is the first key the range can hold.
   */
  record DeleteRange(NamespaceDefinition namespace, KeyRange range, int limit) implements KeyRequest {
    public DeleteRange {
      Objects.requireNonNull(range, "range");
      if (limit < 1) throw new IllegalArgumentException("limit must be positive");
    }

    @Override
    public String key() {
      return new String(range.start(), StandardCharsets.UTF_8);
    }
  }

  /** Adds {@code by} (negative: subtracts) to the key's counter. */
  record Increment(NamespaceDefinition namespace, String key, long by, Optional<Level> level) implements KeyRequest {
    public Increment {
      Objects.requireNonNull(level, "level");
    }
  }

  /**
   * Strong: an atomic transaction. Each of {@code compares} is checked
   * against its key; if all hold, the {@code success} requests are applied,
   * else the {@code failure} ones (each a {@link Get}, {@link Put},
   * {@link Delete} or {@link Increment} with no precondition), all of them
   * or none, strictly serializable with every other request.
   * {@link #namespace()} and {@link #key()} are the first key it names.
   */
  record Txn(NamespaceDefinition namespace, String key, java.util.List<TxnCompare> compares,
             java.util.List<KeyRequest> success, java.util.List<KeyRequest> failure) implements KeyRequest {
    public Txn {
      compares = java.util.List.copyOf(compares);
      success = java.util.List.copyOf(success);
      failure = java.util.List.copyOf(failure);
    }

    /** Every key request and compare of both branches, for checks that look at each key. */
    public java.util.List<KeyRequest> requests() {
      java.util.List<KeyRequest> all = new java.util.ArrayList<>(success);
      all.addAll(failure);
      return all;
    }

    /** Whether either branch changes a key: a transaction of gets only changes nothing, however it ends. */
    public boolean writes() {
      return requests().stream().anyMatch(r -> !(r instanceof Get));
    }
  }
}
