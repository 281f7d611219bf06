package io.actorkv.strong;

import java.time.Duration;

/**
 * How long, and how many of, the idempotency keys of its recent writes a
 * strong key remembers ({@code actorkv.idempotency.*}). Both bounds hold: a
 * key remembers at most {@code keysPerKey} of them, none older than
 * {@code window}, so its state and snapshot stay small however often it is
 * written.
 */
public record IdempotencyLimits(Duration window, int keysPerKey) {

  /** Remembers nothing: for folding past states, which never answer a write. */
  static final IdempotencyLimits NONE = new IdempotencyLimits(Duration.ZERO, 0);

  public IdempotencyLimits {
    if (window.isNegative() || keysPerKey < 0) {
      throw new IllegalArgumentException("actorkv.idempotency.window and keys-per-key cannot be negative (given: "
          + window + ", " + keysPerKey + ")");
    }
  }
}
