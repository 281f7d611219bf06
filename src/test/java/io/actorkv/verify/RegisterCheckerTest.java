package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegisterCheckerTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static Operation<RegisterOp, RegisterOutput> write(int client, String v, long call, long ret) {
        return Operation.completed(client, RegisterOp.write(v), call, RegisterOutput.ok(), ret);
    }

    private static Operation<RegisterOp, RegisterOutput> read(int client, String seen, long call, long ret) {
        return Operation.completed(client, RegisterOp.read(), call, RegisterOutput.read(seen), ret);
    }

    private static Operation<RegisterOp, RegisterOutput> cas(int client, String expected, String v, boolean applied,
                                                             long call, long ret) {
        return Operation.completed(client, RegisterOp.cas(expected, v), call,
                applied ? RegisterOutput.ok() : RegisterOutput.casFailed(), ret);
    }

    @SafeVarargs
    @SuppressWarnings("varargs")
    private static Verdict check(Operation<RegisterOp, RegisterOutput>... ops) {
        return Checker.check(Models.register(), List.of(ops), LIMIT).verdict();
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertEquals(Verdict.LINEARIZABLE, check());
    }

    @Test
    void sequentialWriteThenRead() {
        assertEquals(Verdict.LINEARIZABLE, check(read(0, null, 0, 1), write(0, "1", 2, 3), read(1, "1", 4, 5)));
    }

    @Test
    void staleReadAfterCompletedWriteIsNotLinearizable() {
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "1", 0, 1), read(1, null, 2, 3)));
    }

    @Test
    void readsDuringSlowWriteMayNotGoBack() {
        assertEquals(Verdict.LINEARIZABLE, check(write(0, "1", 0, 10), read(1, null, 1, 2), read(2, "1", 3, 4)));
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "1", 0, 10), read(1, "1", 1, 2), read(2, null, 3, 4)));
    }

    @Test
    void operationsTouchingAtAnInstantAreConcurrent() {
        assertEquals(Verdict.LINEARIZABLE, check(write(0, "1", 0, 5), read(1, null, 5, 6)));
    }

    @Test
    void unknownWriteMayTakeEffectLate() {
        var lateWrite = Operation.<RegisterOp, RegisterOutput>unknown(0, RegisterOp.write("1"), 0);
        assertEquals(Verdict.LINEARIZABLE, check(lateWrite, read(1, null, 1, 2), read(1, null, 3, 4), read(2, "1", 5, 6)));
        // ...but only once: the register cannot go back to absent afterwards.
        assertEquals(Verdict.NOT_LINEARIZABLE,
                check(lateWrite, read(1, null, 1, 2), read(2, "1", 5, 6), read(1, null, 7, 8)));
        // ...and not before it was invoked.
        var invokedLate = Operation.<RegisterOp, RegisterOutput>unknown(0, RegisterOp.write("1"), 10);
        assertEquals(Verdict.NOT_LINEARIZABLE, check(read(2, "1", 5, 6), invokedLate));
    }

    @Test
    void unknownWriteMayNeverTakeEffect() {
        var lost = Operation.<RegisterOp, RegisterOutput>unknown(0, RegisterOp.write("1"), 0);
        assertEquals(Verdict.LINEARIZABLE,
                check(lost, read(1, null, 1, 2), write(2, "2", 3, 4), read(1, "2", 5, 6), read(3, "2", 100, 101)));
        assertEquals(Verdict.LINEARIZABLE, check(lost, read(1, null, 1, 2), read(1, null, 50, 51)));
    }

    @Test
    void unknownOutcomeReadIsIgnored() {
        var timedOutRead = Operation.<RegisterOp, RegisterOutput>unknown(0, RegisterOp.read(), 0);
        assertEquals(Verdict.LINEARIZABLE, check(timedOutRead, write(1, "1", 1, 2), read(1, "1", 3, 4)));
    }

    @Test
    void failedCasMeansTheValueDidNotMatch() {
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "1", 0, 1), cas(1, "1", "2", false, 2, 3)));
        assertEquals(Verdict.LINEARIZABLE,
                check(write(0, "2", 0, 1), cas(1, "1", "3", false, 2, 3), read(0, "2", 4, 5)));
        assertEquals(Verdict.NOT_LINEARIZABLE,
                check(write(0, "2", 0, 1), cas(1, "1", "3", false, 2, 3), read(0, "3", 4, 5)));
        assertEquals(Verdict.LINEARIZABLE, check(cas(1, "1", "3", false, 0, 1), read(0, null, 2, 3)));
    }

    @Test
    void successfulCasNeedsTheExpectedValue() {
        assertEquals(Verdict.LINEARIZABLE, check(write(0, "1", 0, 1), cas(1, "1", "2", true, 2, 3), read(0, "2", 4, 5)));
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "5", 0, 1), cas(1, "1", "2", true, 2, 3)));
        // A concurrent write can make it match.
        assertEquals(Verdict.LINEARIZABLE, check(write(0, "5", 0, 1), write(2, "1", 2, 10), cas(1, "1", "2", true, 3, 4)));
    }

    @Test
    void unknownCasAppliesOnlyIfTheValueMatches() {
        var maybeCas = Operation.<RegisterOp, RegisterOutput>unknown(1, RegisterOp.cas("1", "2"), 2);
        assertEquals(Verdict.LINEARIZABLE, check(write(0, "1", 0, 1), maybeCas, read(0, "1", 3, 4), read(0, "2", 5, 6)));
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "1", 0, 1), maybeCas, read(0, "2", 3, 4), read(0, "1", 5, 6)));
        assertEquals(Verdict.NOT_LINEARIZABLE, check(write(0, "7", 0, 1), maybeCas, read(0, "2", 3, 4)));
    }

    @Test
    void refutationCarriesTheLongestPartialLinearization() {
        var w = write(0, "1", 0, 1);
        var r = read(1, null, 2, 3);
        CheckResult<RegisterOp, RegisterOutput> result = Checker.check(Models.register(), List.of(w, r), LIMIT);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(List.of(w), result.partialLinearization());
        assertEquals(List.of(r), result.frontier());
        assertTrue(result.report().contains("write(1) -> ok"), result.report());
        assertTrue(result.report().contains("read() -> nil"), result.report());
        assertFalse(result.linearizable());
    }

    @Test
    void timeLimitGivesUnknownNotAWrongAnswer() {
        // Many overlapping writes and an impossible read afterwards: every order of the writes is
        // a distinct (set, state) pair, far more than can be explored in the limit.
        List<Operation<RegisterOp, RegisterOutput>> history = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            history.add(write(i, Integer.toString(i), i, 100 + i));
        }
        history.add(read(99, "never-written", 200, 201));
        long start = System.nanoTime();
        CheckResult<RegisterOp, RegisterOutput> result =
                Checker.check(Models.register(), history, Duration.ofMillis(100));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Verdict.UNKNOWN, result.verdict(), result.report());
        assertTrue(millis < 5_000, "took " + millis + " ms");
        assertEquals(Verdict.UNKNOWN, Checker.check(Models.register(), history, Duration.ZERO).verdict());
    }

    /**
     * Writes that timed out and never took effect stay pending to the end of the history. Unless
     * the search treats writes nobody observed as one and the same, every subset of them is a
     * state of its own at every later step: 2^16 here, between each of 400 operations.
     */
    @Test
    void writesThatNeverTookEffectDoNotMultiplyTheSearch() {
        List<Operation<RegisterOp, RegisterOutput>> history = new ArrayList<>();
        history.add(write(0, "0", 0, 1));
        for (int i = 0; i < 16; i++) {
            history.add(Operation.unknown(100 + i, RegisterOp.write("lost-" + i), 2));
        }
        long t = 3;
        for (int i = 1; i <= 200; i++) {
            history.add(cas(1, Integer.toString(i - 1), Integer.toString(i), true, t, t + 1));
            history.add(read(2, Integer.toString(i), t + 2, t + 3));
            t += 4;
        }
        assertEquals(Verdict.LINEARIZABLE,
                Checker.check(Models.register(), history, LIMIT).verdict());
        // The same writes are still there to make a compare-and-set fail.
        history.add(cas(3, "200", "x", false, t, t + 1));
        assertEquals(Verdict.LINEARIZABLE,
                Checker.check(Models.register(), history, LIMIT).verdict());
        history.add(read(2, "200", t + 2, t + 3));
        CheckResult<RegisterOp, RegisterOutput> refuted = Checker.check(Models.register(), history, LIMIT);
        assertEquals(Verdict.NOT_LINEARIZABLE, refuted.verdict());
        // The report shows the writes as they were sent.
        assertTrue(refuted.report().contains("write(lost-"), refuted.report());
        assertFalse(refuted.report().contains("unobserved"), refuted.report());
    }

    @Test
    void zeroLimitOnAnEasyHistoryIsUnknownToo() {
        assertEquals(Verdict.UNKNOWN, Checker.check(Models.register(),
                List.of(write(0, "1", 0, 1), read(0, "1", 2, 3)), Duration.ZERO).verdict());
    }
}
