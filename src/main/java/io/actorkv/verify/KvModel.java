package io.actorkv.verify;

import java.util.Optional;

/** A map of independent string values (absent reads as {@code ""}); partitioned per key. */
final class KvModel implements Model<String, KvOp, String> {

    @Override
    public String init() {
        return "";
    }

    @Override
    public Optional<String> step(String state, KvOp in, String out) {
        if (in.kind() == KvOp.Kind.GET) {
            return state.equals(out) ? Optional.of(state) : Optional.empty();
        }
        return Optional.of(stepUnknown(state, in));
    }

    @Override
    public String stepUnknown(String state, KvOp in) {
        return switch (in.kind()) {
            case GET -> state;
            case PUT -> in.value();
            case APPEND -> state + in.value();
        };
    }

    @Override
    public boolean readOnly(KvOp in) {
        return in.kind() == KvOp.Kind.GET;
    }

    @Override
    public Object partitionKey(KvOp in) {
        return in.key();
    }

    @Override
    public String describe(KvOp in, String out) {
        if (in.kind() != KvOp.Kind.GET) {
            return in.toString();
        }
        return in + " -> " + (out == null ? "?" : KvOp.quote(out));
    }

    @Override
    public String describeState(String state) {
        return KvOp.quote(state);
    }
}
