package io.actorkv.verify;

import java.util.Objects;

/**
 * Input of a key-value operation. Outputs are strings: the value a get returned (absent reads as
 * {@code ""}); put and append outputs are ignored.
 *
 * @param kind  get, put or append
 * @param key   the key; keys are independent objects
 * @param value value put or appended; null for get
 */
public record KvOp(Kind kind, String key, String value) {

    public enum Kind { GET, PUT, APPEND }

    public KvOp {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (kind != Kind.GET) {
            Objects.requireNonNull(value, "value");
        }
    }

    public static KvOp get(String key) {
        return new KvOp(Kind.GET, key, null);
    }

    public static KvOp put(String key, String value) {
        return new KvOp(Kind.PUT, key, value);
    }

    public static KvOp append(String key, String value) {
        return new KvOp(Kind.APPEND, key, value);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case GET -> "get(" + quote(key) + ")";
            case PUT -> "put(" + quote(key) + ", " + quote(value) + ")";
            case APPEND -> "append(" + quote(key) + ", " + quote(value) + ")";
        };
    }

    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
