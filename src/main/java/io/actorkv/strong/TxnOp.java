package io.actorkv.strong;

import io.actorkv.base.MessageBudget;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One operation of a transaction on one key, as the key's entity applies
 * it and as its lock keeps it: {@code op} is "get", "put", "delete" or
 * "increment"; {@code value}, {@code contentType} and {@code ttl} (null:
 * never expires) apply to a put, {@code by} to an increment. In a lock's
 * journal a put's value is {@code sealed} with encryption at rest
 * ({@link ValueSeal#seal(String, KeyLock.Held)}).
 */
public record TxnOp(String op, byte[] value, String contentType, Duration ttl, long by, String principal,
                    boolean sealed) {

  public TxnOp {
    Objects.requireNonNull(op, "op");
  }

  TxnOp(String op, byte[] value, String contentType, Duration ttl, long by, String principal) {
    this(op, value, contentType, ttl, by, principal, false);
  }

  /** About how many bytes this carries in a message, as {@link MessageBudget} counts them. */
  long bytes() {
    return MessageBudget.ITEM_BYTES + (value == null ? 0 : value.length)
        + MessageBudget.bytes(contentType) + MessageBudget.bytes(principal);
  }

  static TxnOp get(String principal) {
    return new TxnOp("get", null, null, null, 0, principal);
  }

  TxnOp withValue(byte[] bytes, boolean isSealed) {
    return new TxnOp(op, bytes, contentType, ttl, by, principal, isSealed);
  }

  boolean writes() {
    return !op.equals("get");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TxnOp t && op.equals(t.op) && Arrays.equals(value, t.value)
        && Objects.equals(contentType, t.contentType) && Objects.equals(ttl, t.ttl) && by == t.by
        && Objects.equals(principal, t.principal) && sealed == t.sealed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, Arrays.hashCode(value), contentType, ttl, by, principal, sealed);
  }

  @Override
  public String toString() {
    return "TxnOp[" + op + (value == null ? "" : ", " + value.length + " bytes") + ", by=" + by + "]";
  }
}
