package io.actorkv.verify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    /**
     * A value that no completed read returned and no compare-and-set expects cannot be told from
     * another such value by any operation here: a read would fail on either, a compare-and-set
     * would not apply on either, a write replaces either. Writes of such values (typically writes
     * that timed out and never took effect) all write one value, so that their pending subsets
     * collapse (see {@link Model}).
     */
    @Override
    public List<Operation<RegisterOp, RegisterOutput>> mergeIndistinguishable(
            List<Operation<RegisterOp, RegisterOutput>> part) {
        Set<String> observable = new HashSet<>();
        for (Operation<RegisterOp, RegisterOutput> op : part) {
            RegisterOp in = op.input();
            switch (in.kind()) {
                case READ -> {
                    if (!op.outcomeUnknown()) {
                        observable.add(op.output().value());
                    }
                }
                case CAS -> observable.add(in.expected());
                case WRITE -> { }
            }
        }
        String merged = "unobserved";
        while (observable.contains(merged)) {
            merged = "_" + merged;
        }
        List<Operation<RegisterOp, RegisterOutput>> result = new ArrayList<>(part.size());
        for (Operation<RegisterOp, RegisterOutput> op : part) {
            RegisterOp in = op.input();
            boolean hidden = in.kind() != RegisterOp.Kind.READ && !observable.contains(in.value());
            result.add(hidden
                    ? new Operation<>(op.clientId(), new RegisterOp(in.kind(), merged, in.expected()), op.call(),
                            op.output(), op.ret())
                    : op);
        }
        return result;
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
