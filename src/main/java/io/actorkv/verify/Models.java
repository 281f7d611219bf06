package io.actorkv.verify;

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
}
