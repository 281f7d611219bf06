package io.actorkv.verify;

/**
 * Input of a bank operation over accounts numbered from 0.
 *
 * <p>A transfer is conditional, as a client does it by transaction: it moves {@code amount} from
 * {@code from} to {@code to} only if {@code from} is still at {@code fromRevision}, the revision
 * the client read it at (each transfer writes both accounts, so each gets its next revision). The
 * condition matters to the checker too: a transfer of unknown outcome that never applied turns
 * into a no-op as soon as its source is written again, so it cannot stay a live choice for the
 * rest of the history.
 *
 * @param kind         transfer or read of every account
 * @param from         source account; -1 for a read
 * @param to           destination account; -1 for a read
 * @param amount       how much moves, positive; 0 for a read
 * @param fromRevision the source's revision the transfer requires; 0 for a read
 */
public record BankOp(Kind kind, int from, int to, long amount, long fromRevision) {

    public enum Kind { TRANSFER, READ_ALL }

    private static final BankOp READ_ALL = new BankOp(Kind.READ_ALL, -1, -1, 0, 0);

    public BankOp {
        if (kind == Kind.TRANSFER && (from < 0 || to < 0 || from == to || amount <= 0)) {
            throw new IllegalArgumentException("a transfer needs two different accounts and a positive amount, not "
                    + from + " -> " + to + " of " + amount);
        }
    }

    /** Moves {@code amount} from {@code from} to {@code to} if {@code from} is at {@code fromRevision}. */
    public static BankOp transfer(int from, int to, long amount, long fromRevision) {
        return new BankOp(Kind.TRANSFER, from, to, amount, fromRevision);
    }

    /** Reads every account's balance and revision at one point. */
    public static BankOp readAll() {
        return READ_ALL;
    }

    @Override
    public String toString() {
        return kind == Kind.READ_ALL ? "readAll()"
                : "transfer(" + from + " -> " + to + ", " + amount + ", if " + from + " at r" + fromRevision + ")";
    }
}
