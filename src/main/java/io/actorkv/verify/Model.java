package io.actorkv.verify;

import java.util.List;
import java.util.Optional;

/**
 * Sequential specification of an object, the thing a history is checked against.
 *
 * <p>States must be immutable values with {@code equals}/{@code hashCode}: the checker memoises
 * (linearized set, state) pairs. Implementations must be stateless (the checker calls them from
 * several threads).
 *
 * <h2>Operations with unknown outcome</h2>
 * Such an operation may have taken effect at any moment after its call, or never. The checker
 * gives it a return time of +infinity, so the search may place it anywhere after its call,
 * including after every completed operation. It is applied with {@link #stepUnknown}, which never
 * rejects it: whatever output the client would have seen is unconstrained. Placing it after
 * every completed operation is the same as "it never happened", since no completed operation
 * observes what it did; all that is left then are other unknown-outcome operations, which are
 * likewise always accepted. So one rule covers both "took effect late" and "never took effect".
 * An unknown read-only operation constrains nothing and is dropped before the search.
 *
 * <p>Unknown-outcome operations with equal inputs are interchangeable: if the history has a
 * linearization, it has one that places them in the order they were called. The search keeps to
 * that order, so k such operations still pending make k + 1 cases instead of 2^k subsets.
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O> {

    /** State before any operation. */
    S init();

    /** State after a completed operation that answered {@code output}, or empty if that answer is impossible in {@code state}. */
    Optional<S> step(S state, I input, O output);

    /** State after an operation of unknown outcome takes effect in {@code state}; must always succeed. */
    S stepUnknown(S state, I input);

    /**
     * The partition as the search is to see it: a model may replace values that no operation of
     * {@code part} can tell apart by a single one, which keeps the verdict and lets the search's
     * memo treat states differing only in such values as one. The result must have the same
     * operations, in the same order, with the same times and outcomes. The default changes
     * nothing.
     */
    default List<Operation<I, O>> mergeIndistinguishable(List<Operation<I, O>> part) {
        return part;
    }

    /** True if the operation never changes the state (an unknown-outcome one can then be dropped). */
    default boolean readOnly(I input) {
        return false;
    }

    /**
     * Operations with different keys touch independent objects and are checked separately
     * (P-compositionality); the default puts everything in one partition.
     */
    default Object partitionKey(I input) {
        return "";
    }

    /** Human-readable form of an operation; {@code output} is null when its outcome is unknown. */
    default String describe(I input, O output) {
        return input + " -> " + (output == null ? "?" : output);
    }

    /** Human-readable form of a state. */
    default String describeState(S state) {
        return String.valueOf(state);
    }
}
