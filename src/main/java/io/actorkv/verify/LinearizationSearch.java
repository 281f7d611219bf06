package io.actorkv.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Wing–Gong depth-first search for a linearization of one partition, with Lowe's memoisation of
 * (set of linearized operations, model state), as in Porcupine.
 *
 * <p>The history is a doubly-linked list of call and return events in time order. The search
 * walks it from the front: a call event is a candidate to linearize next (its operation was
 * invoked before every pending operation returned); reaching a return event means the operation
 * that returns there was never linearized, so the search backtracks. Linearizing an operation
 * "lifts" its call and return out of the list (they are spliced back in O(1) when backtracking),
 * so the list always holds exactly the operations still to place. A (set, state) pair already
 * explored cannot lead anywhere new and is skipped. Unknown-outcome operations with equal inputs
 * are linearized in the order they were called (see {@link Model}). Not thread-safe; one instance
 * per partition.
 */
final class LinearizationSearch<S, I, O> {

    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, STOPPED }

    /** How many steps pass between two looks at the stop condition. */
    private static final int STOP_CHECK_MASK = 0xFF;

    private static final class Node {
        final int id;     // operation index; -1 for the head sentinel
        final Node match; // for a call event, its return event; null for returns and the head
        Node prev;
        Node next;

        Node(int id, Node match) {
            this.id = id;
            this.match = match;
        }
    }

    /**
     * A (linearized set, state) pair as memoised: the set as the length of its all-linearized
     * prefix plus the words of the rest. The search linearizes in roughly time order, so the
     * rest is short, and an entry costs tens of bytes instead of a bit per operation of the
     * partition (which ran a 1 GiB heap out of memory on a 15,000-operation partition).
     */
    record CacheKey(int prefix, long[] rest, Object state) {
        static CacheKey of(BitSet linearized, Object state) {
            int prefix = linearized.nextClearBit(0);
            return new CacheKey(prefix, linearized.get(prefix, Math.max(prefix, linearized.length())).toLongArray(),
                    state);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k && prefix == k.prefix && Arrays.equals(rest, k.rest)
                    && Objects.equals(state, k.state);
        }

        @Override
        public int hashCode() {
            return (31 * prefix + Arrays.hashCode(rest)) * 31 + Objects.hashCode(state);
        }
    }

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final BooleanSupplier stop;
    /** For an unknown-outcome operation, the one with equal input called just before it, or -1. */
    private final int[] earlierTwin;
    private int[] longest = new int[0];

    /**
     * @param stop polled every few hundred steps; once true the search gives up with STOPPED
     */
    LinearizationSearch(Model<S, I, O> model, List<Operation<I, O>> ops, BooleanSupplier stop) {
        this.model = model;
        this.ops = ops;
        this.stop = stop;
        this.earlierTwin = earlierTwins(ops);
    }

    @SuppressWarnings("unchecked")
    Outcome run() {
        int n = ops.size();
        Node head = buildEventList();
        BitSet linearized = new BitSet(n);
        Set<CacheKey> cache = new HashSet<>();
        Node[] stackNode = new Node[n];
        Object[] stackState = new Object[n];
        int depth = 0;
        S state = model.init();
        Node entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if ((steps++ & STOP_CHECK_MASK) == 0 && stop.getAsBoolean()) {
                return Outcome.STOPPED;
            }
            if (entry.match != null && waitsForTwin(entry.id, linearized)) {
                entry = entry.next;
            } else if (entry.match != null) {
                Operation<I, O> op = ops.get(entry.id);
                Optional<S> next = op.outcomeUnknown()
                        ? Optional.of(model.stepUnknown(state, op.input()))
                        : model.step(state, op.input(), op.output());
                if (next.isPresent()) {
                    linearized.set(entry.id);
                    if (cache.add(CacheKey.of(linearized, next.get()))) {
                        stackNode[depth] = entry;
                        stackState[depth] = state;
                        depth++;
                        state = next.get();
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                    linearized.clear(entry.id);
                }
                entry = entry.next;
            } else {
                // The operation returning here was never linearized: undo the latest choice.
                if (depth > longest.length) {
                    longest = idsOf(stackNode, depth);
                }
                if (depth == 0) {
                    return Outcome.NOT_LINEARIZABLE;
                }
                depth--;
                entry = stackNode[depth];
                state = (S) stackState[depth];
                stackNode[depth] = null;
                stackState[depth] = null;
                linearized.clear(entry.id);
                unlift(entry);
                entry = entry.next;
            }
        }
        longest = idsOf(stackNode, depth);
        return Outcome.LINEARIZABLE;
    }

    private boolean waitsForTwin(int id, BitSet linearized) {
        int twin = earlierTwin[id];
        return twin >= 0 && !linearized.get(twin);
    }

    private static <I, O> int[] earlierTwins(List<Operation<I, O>> ops) {
        int[] twins = new int[ops.size()];
        Arrays.fill(twins, -1);
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).outcomeUnknown()) {
                unknown.add(i);
            }
        }
        unknown.sort(Comparator.comparingLong((Integer i) -> ops.get(i).call()).thenComparingInt(i -> i));
        Map<I, Integer> last = new HashMap<>();
        for (int i : unknown) {
            Integer twin = last.put(ops.get(i).input(), i);
            twins[i] = twin == null ? -1 : twin;
        }
        return twins;
    }

    /** Operation indexes of the longest partial linearization seen, in linearization order. */
    int[] longestLinearization() {
        return longest.clone();
    }

    /**
     * Operation indexes that could have come next after {@link #longestLinearization()} (called
     * no later than the earliest return among the rest), in call order; none of them fits.
     */
    int[] frontier() {
        BitSet done = new BitSet(ops.size());
        for (int id : longest) {
            done.set(id);
        }
        long firstReturn = Long.MAX_VALUE;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            firstReturn = Math.min(firstReturn, ops.get(i).ret());
        }
        List<Integer> result = new ArrayList<>();
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            if (ops.get(i).call() <= firstReturn) {
                result.add(i);
            }
        }
        result.sort(Comparator.comparingLong(i -> ops.get(i).call()));
        return result.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] idsOf(Node[] stack, int depth) {
        int[] ids = new int[depth];
        for (int i = 0; i < depth; i++) {
            ids[i] = stack[i].id;
        }
        return ids;
    }

    /**
     * Builds head -> events in time order. On equal times calls come first, so operations that
     * touch at an instant count as concurrent. Returns the head sentinel.
     */
    private Node buildEventList() {
        int n = ops.size();
        Integer[] events = new Integer[2 * n]; // 2*i: call of op i, 2*i+1: its return
        for (int e = 0; e < events.length; e++) {
            events[e] = e;
        }
        Arrays.sort(events, Comparator
                .comparingLong((Integer e) -> (e & 1) == 0 ? ops.get(e >> 1).call() : ops.get(e >> 1).ret())
                .thenComparingInt(e -> e & 1)
                .thenComparingInt(e -> e >> 1));
        Node[] returns = new Node[n];
        for (int i = 0; i < n; i++) {
            returns[i] = new Node(i, null);
        }
        Node head = new Node(-1, null);
        Node last = head;
        for (int e : events) {
            int id = e >> 1;
            Node node = (e & 1) == 0 ? new Node(id, returns[id]) : returns[id];
            last.next = node;
            node.prev = last;
            last = node;
        }
        return head;
    }

    /** Removes a call event and its return event from the list. */
    private static void lift(Node call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    /** Undoes {@link #lift}: the removed nodes still point at their old neighbours. */
    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }
}
