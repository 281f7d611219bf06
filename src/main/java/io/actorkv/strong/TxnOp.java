package io.actorkv.strong;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One operation of a transaction on one key, as the key's entity applies
 * it and as its lock keeps it: {@code op} is "get", "put", "delete" or
 * "increment"; {@code value}, {@code contentType} and {@code ttl} (null:
 * never expires) apply to a put, {@code by} to an increment.
 */
public record TxnOp(String op, byte[] value, String contentType, Duration ttl, long by, String principal) {

  public TxnOp {
    Objects.requireNonNull(op, "op");
  }

  static TxnOp get(String principal) {
    return new TxnOp("get", null, null, null, 0, principal);
  }

  boolean writes() {
    return !op.equals("get");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TxnOp t && op.equals(t.op) && Arrays.equals(value, t.value)
        && Objects.equals(contentType, t.contentType) && Objects.equals(ttl, t.ttl) && by == t.by
        && Objects.equals(principal, t.principal);
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, Arrays.hashCode(value), contentType, ttl, by, principal);
  }

  @Override
  public String toString() {
    return "TxnOp[" + op + (value == null ? "" : ", " + value.length + " bytes") + ", by=" + by + "]";
  }
}
