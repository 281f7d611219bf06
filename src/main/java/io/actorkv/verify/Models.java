package io.actorkv.verify;

import java.util.List;

/** The sequential specifications this package ships. */
public final class Models {

    private static final RegisterModel REGISTER = new RegisterModel();
    private static final KvModel KV = new KvModel();

    private Models() {
    }

    /** One register, initially absent, with read / write / compare-and-set. */
    public static Model<?, RegisterOp, RegisterOutput> register() {
        return REGISTER;
    }

    /** A string map with get / put / append, absent keys reading as {@code ""}, checked per key. */
    public static Model<?, KvOp, String> kv() {
        return KV;
    }

    /**
     * Accounts starting at {@code balances} and {@code revisions} (account by account), with
     * conditional transfers and reads of every account, checked as one object: linearizability
     * of these operations is strict serializability of the transactions doing them.
     */
    public static Model<?, BankOp, BankOutput> bank(List<Long> balances, List<Long> revisions) {
        return new BankModel(balances, revisions);
    }
}
