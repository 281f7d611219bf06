package io.actorkv.verify;

import java.util.Objects;

/**
 * Input of a register operation. Values are opaque strings; {@code null} means absent.
 *
 * @param kind     read, write or compare-and-set
 * @param value    value written (write) or new value (cas); null for read
 * @param expected value a cas requires to be present; null otherwise
 */
public record RegisterOp(Kind kind, String value, String expected) {

    public enum Kind { READ, WRITE, CAS }

    public RegisterOp {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.READ) {
            Objects.requireNonNull(value, "value");
        }
        if (kind == Kind.CAS) {
            Objects.requireNonNull(expected, "expected");
        }
    }

    public static RegisterOp read() {
        return new RegisterOp(Kind.READ, null, null);
    }

    public static RegisterOp write(String value) {
        return new RegisterOp(Kind.WRITE, value, null);
    }

    /** Sets the register to {@code value} if it holds {@code expected}. */
    public static RegisterOp cas(String expected, String value) {
        return new RegisterOp(Kind.CAS, value, expected);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case READ -> "read()";
            case WRITE -> "write(" + value + ")";
            case CAS -> "cas(" + expected + ", " + value + ")";
        };
    }
}
