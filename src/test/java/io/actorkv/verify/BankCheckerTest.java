package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Three accounts of 10 at revision 1; transfers and reads of all checked as one object. */
class BankCheckerTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final Model<?, BankOp, BankOutput> BANK = Models.bank(List.of(10L, 10L, 10L), List.of(1L, 1L, 1L));

    private static Operation<BankOp, BankOutput> transfer(int client, int from, int to, long amount, long revision,
                                                          boolean applied, long call, long ret) {
        return Operation.completed(client, BankOp.transfer(from, to, amount, revision), call,
                BankOutput.transferred(applied), ret);
    }

    private static Operation<BankOp, BankOutput> read(int client, List<Long> balances, List<Long> revisions,
                                                      long call, long ret) {
        return Operation.completed(client, BankOp.readAll(), call, BankOutput.read(balances, revisions), ret);
    }

    private static CheckResult<BankOp, BankOutput> check(List<Operation<BankOp, BankOutput>> ops) {
        return Checker.check(BANK, ops, LIMIT);
    }

    @Test
    void concurrentTransfersAndReadsInSomeOrderPass() {
        // Both transfers overlap the first read, which sees only the second; the last read sees both.
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                transfer(0, 0, 1, 3, 1, true, 0, 10),
                transfer(1, 2, 1, 4, 1, true, 1, 5),
                read(2, List.of(10L, 14L, 6L), List.of(1L, 2L, 2L), 2, 8),
                read(2, List.of(7L, 17L, 6L), List.of(2L, 3L, 2L), 11, 12))).verdict());
    }

    @Test
    void aTransferWhoseSourceMovedOnAppliesNothing() {
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                transfer(0, 0, 1, 3, 1, true, 0, 1),
                transfer(1, 0, 2, 5, 1, false, 2, 3),
                read(2, List.of(7L, 13L, 10L), List.of(2L, 2L, 1L), 4, 5))).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, check(List.of(
                transfer(0, 0, 1, 3, 1, true, 0, 1),
                transfer(1, 0, 2, 5, 1, true, 2, 3))).verdict(), "the second transfer's source was at revision 2");
    }

    @Test
    void aReadOfHalfATransferFails() {
        // The total is 27, not 30: the read saw the debit of the transfer but not its credit.
        var torn = read(2, List.of(7L, 10L, 10L), List.of(2L, 1L, 1L), 1, 2);
        assertEquals(27, torn.output().total());
        CheckResult<BankOp, BankOutput> result = check(List.of(transfer(0, 0, 1, 3, 1, true, 0, 3), torn));
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertTrue(result.report().contains("readAll() -> [7@r2, 10@r1, 10@r1]"), result.report());
    }

    @Test
    void aReadAfterACompletedTransferMustSeeIt() {
        assertEquals(Verdict.NOT_LINEARIZABLE, check(List.of(
                transfer(0, 0, 1, 3, 1, true, 0, 1),
                read(1, List.of(10L, 10L, 10L), List.of(1L, 1L, 1L), 2, 3))).verdict());
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                transfer(0, 0, 1, 3, 1, true, 0, 2),
                read(1, List.of(10L, 10L, 10L), List.of(1L, 1L, 1L), 1, 3))).verdict(), "overlapping: either order");
    }

    @Test
    void aTransferOfUnknownOutcomeMayApplyLateOrNever() {
        var lost = Operation.<BankOp, BankOutput>unknown(0, BankOp.transfer(0, 1, 3, 1), 0);
        assertEquals(Verdict.LINEARIZABLE, check(List.of(lost,
                read(1, List.of(10L, 10L, 10L), List.of(1L, 1L, 1L), 1, 2),
                read(1, List.of(7L, 13L, 10L), List.of(2L, 2L, 1L), 3, 4))).verdict(), "applied late");
        assertEquals(Verdict.LINEARIZABLE, check(List.of(lost,
                read(1, List.of(10L, 10L, 10L), List.of(1L, 1L, 1L), 1, 2))).verdict(), "never applied");
        assertEquals(Verdict.NOT_LINEARIZABLE, check(List.of(lost,
                read(1, List.of(7L, 13L, 10L), List.of(2L, 2L, 1L), 1, 2),
                read(1, List.of(10L, 10L, 10L), List.of(1L, 1L, 1L), 3, 4))).verdict(), "applied, then undone");
    }

    @Test
    void manyTransfersOfUnknownOutcomeThatNeverAppliedDoNotStallTheSearch() {
        // Forty lost transfers, each from an account that a later completed transfer moves on.
        List<Operation<BankOp, BankOutput>> ops = new ArrayList<>();
        long revision = 1;
        long t = 0;
        long a = 10;
        long b = 10;
        for (int i = 0; i < 40; i++) {
            ops.add(Operation.unknown(0, BankOp.transfer(0, 1, 1, revision), t++));
            ops.add(transfer(1, 0, 1, 1, revision, true, t++, t++));
            revision++;
            a--;
            b++;
            ops.add(read(2, List.of(a, b, 10L), List.of(revision, revision, 1L), t++, t++));
            ops.add(transfer(1, 1, 0, 1, revision, true, t++, t++));
            revision++;
            a++;
            b--;
        }
        CheckResult<BankOp, BankOutput> result = check(ops);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.report());
    }
}
