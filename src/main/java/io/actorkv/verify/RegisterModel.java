package io.actorkv.verify;

import java.util.Objects;
import java.util.Optional;

/** A single register, initially absent, with read / write / compare-and-set. */
final class RegisterModel implements Model<RegisterModel.Value, RegisterOp, RegisterOutput> {

    /** Register contents; {@code v == null} means absent. */
    record Value(String v) {
        static final Value ABSENT = new Value(null);

        @Override
        public String toString() {
            return v == null ? "nil" : v;
        }
    }

    @Override
    public Value init() {
        return Value.ABSENT;
    }

    @Override
    public Optional<Value> step(Value state, RegisterOp in, RegisterOutput out) {
        return switch (in.kind()) {
            case READ -> Objects.equals(state.v(), out.value()) ? Optional.of(state) : Optional.empty();
            case WRITE -> Optional.of(new Value(in.value()));
            case CAS -> {
                boolean matches = in.expected().equals(state.v());
                if (matches != out.applied()) {
                    yield Optional.empty();
                }
                yield Optional.of(matches ? new Value(in.value()) : state);
            }
        };
    }

    @Override
    public Value stepUnknown(Value state, RegisterOp in) {
        return switch (in.kind()) {
            case READ -> state;
            case WRITE -> new Value(in.value());
            case CAS -> in.expected().equals(state.v()) ? new Value(in.value()) : state;
        };
    }

    @Override
    public boolean readOnly(RegisterOp in) {
        return in.kind() == RegisterOp.Kind.READ;
    }

    @Override
    public String describe(RegisterOp in, RegisterOutput out) {
        String result;
        if (out == null) {
            result = "?";
        } else if (in.kind() == RegisterOp.Kind.READ) {
            result = out.value() == null ? "nil" : out.value();
        } else {
            result = out.applied() ? "ok" : "fail";
        }
        return in + " -> " + result;
    }
}
