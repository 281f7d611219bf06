package io.actorkv.verify;

import java.util.List;

/**
 * Output of a completed bank operation.
 *
 * @param applied   for a transfer, whether it applied (its condition held); true for a read
 * @param balances  what a read returned, account by account; empty for a transfer
 * @param revisions the revisions a read returned with them; empty for a transfer
 */
public record BankOutput(boolean applied, List<Long> balances, List<Long> revisions) {

    public BankOutput {
        balances = List.copyOf(balances);
        revisions = List.copyOf(revisions);
        if (balances.size() != revisions.size()) {
            throw new IllegalArgumentException(balances.size() + " balances but " + revisions.size() + " revisions");
        }
    }

    /** A transfer that applied ({@code true}) or found its source moved on and changed nothing. */
    public static BankOutput transferred(boolean applied) {
        return new BankOutput(applied, List.of(), List.of());
    }

    /** A read of every account. */
    public static BankOutput read(List<Long> balances, List<Long> revisions) {
        return new BankOutput(true, balances, revisions);
    }

    /** The sum of the balances a read returned. */
    public long total() {
        return balances.stream().mapToLong(Long::longValue).sum();
    }
}
