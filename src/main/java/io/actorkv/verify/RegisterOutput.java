package io.actorkv.verify;

/**
 * Output of a completed register operation.
 *
 * @param value   what a read returned, null if absent; null for write and cas
 * @param applied false only for a cas that did not apply (the register did not hold the expected value)
 */
public record RegisterOutput(String value, boolean applied) {

    private static final RegisterOutput OK = new RegisterOutput(null, true);
    private static final RegisterOutput FAILED = new RegisterOutput(null, false);

    /** A read that returned {@code value} (null: absent). */
    public static RegisterOutput read(String value) {
        return value == null ? OK : new RegisterOutput(value, true);
    }

    /** A write, or a cas that applied. */
    public static RegisterOutput ok() {
        return OK;
    }

    /** A cas that completed without applying. */
    public static RegisterOutput casFailed() {
        return FAILED;
    }
}
