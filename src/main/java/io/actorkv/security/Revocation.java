package io.actorkv.security;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The tokens of one subject issued before {@code before} are refused, as
 * the admin {@code updatedBy} decided at {@code updatedAt}: how a stolen or
 * leaked token is ended before it expires. A token that does not say when
 * it was issued ({@code iat}) is refused too, since it might be older.
 */
public record Revocation(String subject, Instant before, String updatedBy, Instant updatedAt) {

  public Revocation {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(before, "before");
  }

  /** Whether a token of this subject issued at {@code issuedAt} (empty: it does not say) is refused. */
  public boolean refuses(Optional<Instant> issuedAt) {
    return issuedAt.map(at -> at.isBefore(before)).orElse(true);
  }
}
