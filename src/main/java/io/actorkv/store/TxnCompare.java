package io.actorkv.store;

import io.actorkv.namespace.NamespaceDefinition;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One condition of a transaction, on one key of a strong namespace, checked
 * against the key as the transaction holds it: its revision (0 for a key
 * never written), its value's bytes, whether it exists, or its counter. A
 * value or counter compare of a key that holds no such thing is false,
 * except that an absent key counts as counter 0, as an increment starts it.
 *
 * @param number the revision or counter compared with; unused for value and exists
 * @param value the bytes compared with (byte by byte, unsigned); null unless {@code target} is VALUE
 * @param exists what EXISTS compares with
 */
public record TxnCompare(NamespaceDefinition namespace, String key, Target target, Operator operator, long number,
                         byte[] value, boolean exists) {

  public enum Target { REVISION, VALUE, EXISTS, COUNTER }

  public enum Operator {
    EQUAL("="), NOT_EQUAL("!="), LESS("<"), GREATER(">");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    /** The operator written as {@code symbol}, or null. */
    public static Operator of(String symbol) {
      for (Operator o : values()) {
        if (o.symbol.equals(symbol)) return o;
      }
      return null;
    }

    boolean holds(int comparison) {
      return switch (this) {
        case EQUAL -> comparison == 0;
        case NOT_EQUAL -> comparison != 0;
        case LESS -> comparison < 0;
        case GREATER -> comparison > 0;
      };
    }
  }

  public TxnCompare {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(operator, "operator");
    if (target == Target.VALUE) Objects.requireNonNull(value, "value");
    if (target == Target.EXISTS && operator != Operator.EQUAL && operator != Operator.NOT_EQUAL) {
      throw new IllegalArgumentException("exists compares with = or != only");
    }
  }

  /**
   * Whether the compare holds for a key at {@code revision} holding
   * {@code held} (null: nothing live) of which {@code counter} says whether
   * it is a counter.
   */
  public boolean holds(long revision, byte[] held, boolean counter) {
    return switch (target) {
      case REVISION -> operator.holds(Long.compare(revision, number));
      case EXISTS -> operator.holds(Boolean.compare(held != null, exists));
      case VALUE -> held != null && !counter && operator.holds(Arrays.compareUnsigned(held, value));
      case COUNTER -> {
        if (held != null && !counter) yield false;
        long count = held == null ? 0 : Long.parseLong(new String(held, StandardCharsets.US_ASCII));
        yield operator.holds(Long.compare(count, number));
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TxnCompare c && namespace.equals(c.namespace) && key.equals(c.key) && target == c.target
        && operator == c.operator && number == c.number && Arrays.equals(value, c.value) && exists == c.exists;
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, key, target, operator, number, Arrays.hashCode(value), exists);
  }
}
