package io.actorkv.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a value stops being readable, or {@link #NEVER}: the one form of an
 * expiry in both modes. In the journal it is the instant, or null for never.
 */
public final class Expiry {

  public static final Expiry NEVER = new Expiry(null);

  private final Instant at;

  private Expiry(Instant at) {
    this.at = at;
  }

  public static Expiry at(Instant at) {
    return new Expiry(Objects.requireNonNull(at, "at"));
  }

  /** {@code ttl} after {@code now}; a null {@code ttl} never expires. */
  public static Expiry after(Instant now, Duration ttl) {
    return ttl == null ? NEVER : at(now.plus(ttl));
  }

  /** For the journal: the instant, or null for never. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static Expiry fromJournal(Instant at) {
    return at == null ? NEVER : new Expiry(at);
  }

  @JsonValue
  Instant toJournal() {
    return at;
  }

  public boolean isNever() {
    return at == null;
  }

  /** Whether a reader at {@code now} no longer sees the value. */
  public boolean passedAt(Instant now) {
    return at != null && !now.isBefore(at);
  }

  /** {@link #passedAt} for a time in epoch milliseconds. */
  public boolean passedAt(long epochMillis) {
    return at != null && epochMillis >= at.toEpochMilli();
  }

  /** The instant it expires at; empty for never. */
  public Optional<Instant> instant() {
    return Optional.ofNullable(at);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Expiry e && Objects.equals(at, e.at);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(at);
  }

  @Override
  public String toString() {
    return at == null ? "never" : at.toString();
  }
}
