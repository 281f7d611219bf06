package io.actorkv.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Linearizability checker. The history is split by {@link Model#partitionKey} and each part is
 * checked on its own (a history is linearizable iff every per-object sub-history is:
 * P-compositionality), in parallel on a small pool. The answer is never wrong: when the time
 * limit passes before every part is decided the verdict is UNKNOWN, unless a part already proved
 * the whole history not linearizable.
 */
public final class Checker {

    /** Grace period after the deadline for searches to notice it before they are abandoned. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private Checker() {
    }

    /**
     * Checks {@code history} against {@code model} within {@code timeout} (zero or negative: give
     * up at once). Operations of unknown outcome follow the rules in {@link Model}.
     */
    public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history,
                                                    Duration timeout) {
        long start = System.nanoTime();
        long budget = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        long deadline = start + budget;
        List<List<Operation<I, O>>> parts = partition(model, history);
        if (parts.isEmpty()) {
            return new CheckResult<>(Verdict.LINEARIZABLE, List.of(), List.of(),
                    "linearizable (empty history)", elapsedSince(start));
        }
        AtomicBoolean refuted = new AtomicBoolean();
        BooleanSupplier stop = () -> refuted.get() || System.nanoTime() - deadline >= 0;
        List<LinearizationSearch<S, I, O>> searches = new ArrayList<>();
        for (List<Operation<I, O>> part : parts) {
            searches.add(new LinearizationSearch<>(model, model.mergeIndistinguishable(part), stop));
        }
        int threads = Math.min(parts.size(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "linearizability-check");
            thread.setDaemon(true);
            return thread;
        });
        List<Future<LinearizationSearch.Outcome>> futures = new ArrayList<>();
        try {
            for (LinearizationSearch<S, I, O> search : searches) {
                futures.add(pool.submit(() -> {
                    LinearizationSearch.Outcome outcome = search.run();
                    if (outcome == LinearizationSearch.Outcome.NOT_LINEARIZABLE) {
                        refuted.set(true);
                    }
                    return outcome;
                }));
            }
            pool.shutdown();
            long wait = Math.max(0, deadline - System.nanoTime()) + GRACE_NANOS;
            pool.awaitTermination(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }

        int decided = 0;
        for (int i = 0; i < futures.size(); i++) {
            LinearizationSearch.Outcome outcome = outcomeOf(futures.get(i));
            if (outcome == LinearizationSearch.Outcome.NOT_LINEARIZABLE) {
                return refutation(model, parts.get(i), searches.get(i), parts.size(), start);
            }
            if (outcome == LinearizationSearch.Outcome.LINEARIZABLE) {
                decided++;
            }
        }
        Duration elapsed = elapsedSince(start);
        if (decided == parts.size()) {
            return new CheckResult<>(Verdict.LINEARIZABLE, List.of(), List.of(),
                    "linearizable (" + history.size() + " operations, " + parts.size() + " partitions, "
                            + elapsed.toMillis() + " ms)", elapsed);
        }
        return new CheckResult<>(Verdict.UNKNOWN, List.of(), List.of(),
                "unknown: time limit of " + timeout.toMillis() + " ms reached with " + decided + " of "
                        + parts.size() + " partitions decided", elapsed);
    }

    /** Drops unknown-outcome read-only operations and groups the rest by key, largest group first. */
    private static <S, I, O> List<List<Operation<I, O>>> partition(Model<S, I, O> model,
                                                                   List<Operation<I, O>> history) {
        Map<Object, List<Operation<I, O>>> byKey = new LinkedHashMap<>();
        for (Operation<I, O> op : history) {
            if (op.outcomeUnknown() && model.readOnly(op.input())) {
                continue;
            }
            byKey.computeIfAbsent(model.partitionKey(op.input()), k -> new ArrayList<>()).add(op);
        }
        List<List<Operation<I, O>>> parts = new ArrayList<>(byKey.values());
        parts.sort(Comparator.comparingInt((List<Operation<I, O>> p) -> p.size()).reversed());
        return parts;
    }

    private static LinearizationSearch.Outcome outcomeOf(Future<LinearizationSearch.Outcome> future) {
        if (!future.isDone() || future.isCancelled()) {
            return LinearizationSearch.Outcome.STOPPED;
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LinearizationSearch.Outcome.STOPPED;
        } catch (ExecutionException e) {
            throw new IllegalStateException("model failed during the check", e.getCause());
        }
    }

    private static <S, I, O> CheckResult<I, O> refutation(Model<S, I, O> model, List<Operation<I, O>> part,
                                                          LinearizationSearch<S, I, O> search, int partCount,
                                                          long start) {
        List<Operation<I, O>> prefix = new ArrayList<>();
        for (int id : search.longestLinearization()) {
            prefix.add(part.get(id));
        }
        List<Operation<I, O>> frontier = new ArrayList<>();
        for (int id : search.frontier()) {
            frontier.add(part.get(id));
        }
        StringBuilder report = new StringBuilder("not linearizable");
        if (partCount > 1) {
            report.append(" (partition key ").append(model.partitionKey(part.get(0).input())).append(')');
        }
        report.append("\nlongest partial linearization (").append(prefix.size()).append(" of ")
                .append(part.size()).append(" operations):\n");
        S state = model.init();
        int index = 1;
        for (Operation<I, O> op : prefix) {
            state = apply(model, state, op);
            report.append(String.format("  %4d. %s   => %s%n", index++, describe(model, op),
                    model.describeState(state)));
        }
        report.append("no operation fits next; candidates were:\n");
        for (Operation<I, O> op : frontier) {
            report.append("        ").append(describe(model, op)).append('\n');
        }
        return new CheckResult<>(Verdict.NOT_LINEARIZABLE, prefix, frontier, report.toString().stripTrailing(),
                elapsedSince(start));
    }

    private static <S, I, O> S apply(Model<S, I, O> model, S state, Operation<I, O> op) {
        if (op.outcomeUnknown()) {
            return model.stepUnknown(state, op.input());
        }
        Optional<S> next = model.step(state, op.input(), op.output());
        return next.orElseThrow(() -> new IllegalStateException("model is not deterministic"));
    }

    private static <I, O> String describe(Model<?, I, O> model, Operation<I, O> op) {
        String ret = op.outcomeUnknown() ? "?" : Long.toString(op.ret());
        return "client " + op.clientId() + " [" + op.call() + ", " + ret + "] "
                + model.describe(op.input(), op.output());
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static Duration elapsedSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
