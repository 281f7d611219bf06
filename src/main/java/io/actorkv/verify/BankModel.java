package io.actorkv.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accounts moving money between them by conditional transfers, read all at once. One partition:
 * every operation is one step over all accounts, so a linearizable history of these operations
 * is a strictly serializable history of the transactions that do them.
 */
final class BankModel implements Model<BankModel.Accounts, BankOp, BankOutput> {

    /** Every account's balance and revision, as immutable lists. */
    record Accounts(List<Long> balances, List<Long> revisions) {
        Accounts {
            balances = List.copyOf(balances);
            revisions = List.copyOf(revisions);
        }

        boolean allows(BankOp transfer) {
            return revisions.get(transfer.from()) == transfer.fromRevision();
        }

        Accounts after(BankOp transfer) {
            List<Long> b = new ArrayList<>(balances);
            List<Long> r = new ArrayList<>(revisions);
            b.set(transfer.from(), b.get(transfer.from()) - transfer.amount());
            b.set(transfer.to(), b.get(transfer.to()) + transfer.amount());
            r.set(transfer.from(), r.get(transfer.from()) + 1);
            r.set(transfer.to(), r.get(transfer.to()) + 1);
            return new Accounts(b, r);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < balances.size(); i++) {
                if (i > 0) s.append(", ");
                s.append(balances.get(i)).append("@r").append(revisions.get(i));
            }
            return s.append(']').toString();
        }
    }

    private final Accounts initial;

    BankModel(List<Long> balances, List<Long> revisions) {
        if (balances.isEmpty()) {
            throw new IllegalArgumentException("a bank needs at least one account");
        }
        if (balances.size() != revisions.size()) {
            throw new IllegalArgumentException(balances.size() + " balances but " + revisions.size() + " revisions");
        }
        this.initial = new Accounts(balances, revisions);
    }

    @Override
    public Accounts init() {
        return initial;
    }

    @Override
    public Optional<Accounts> step(Accounts state, BankOp in, BankOutput out) {
        if (in.kind() == BankOp.Kind.READ_ALL) {
            boolean same = state.balances().equals(out.balances()) && state.revisions().equals(out.revisions());
            return same ? Optional.of(state) : Optional.empty();
        }
        if (state.allows(in) != out.applied()) {
            return Optional.empty();
        }
        return Optional.of(out.applied() ? state.after(in) : state);
    }

    @Override
    public Accounts stepUnknown(Accounts state, BankOp in) {
        return in.kind() == BankOp.Kind.TRANSFER && state.allows(in) ? state.after(in) : state;
    }

    @Override
    public boolean readOnly(BankOp in) {
        return in.kind() == BankOp.Kind.READ_ALL;
    }

    @Override
    public String describe(BankOp in, BankOutput out) {
        if (out == null) {
            return in + " -> ?";
        }
        if (in.kind() == BankOp.Kind.READ_ALL) {
            return in + " -> " + new Accounts(out.balances(), out.revisions());
        }
        return in + " -> " + (out.applied() ? "applied" : "not applied");
    }
}
