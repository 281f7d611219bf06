package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvCheckerTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static Operation<KvOp, String> op(int client, KvOp in, String out, long call, long ret) {
        return Operation.completed(client, in, call, out, ret);
    }

    private static CheckResult<KvOp, String> check(List<Operation<KvOp, String>> ops) {
        return Checker.check(Models.kv(), ops, LIMIT);
    }

    @Test
    void absentKeyReadsEmptyAndKeysAreIndependent() {
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                op(0, KvOp.put("a", "x"), null, 0, 1),
                op(1, KvOp.get("b"), "", 2, 3),
                op(1, KvOp.get("a"), "x", 4, 5))).verdict());
    }

    @Test
    void appendsConcatenateInLinearizationOrder() {
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                op(0, KvOp.append("k", "x"), null, 0, 10),
                op(1, KvOp.append("k", "y"), null, 1, 11),
                op(2, KvOp.get("k"), "yx", 12, 13))).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, check(List.of(
                op(0, KvOp.append("k", "x"), null, 0, 1),
                op(1, KvOp.append("k", "y"), null, 2, 3),
                op(2, KvOp.get("k"), "yx", 4, 5))).verdict());
    }

    @Test
    void putReplacesTheValue() {
        assertEquals(Verdict.LINEARIZABLE, check(List.of(
                op(0, KvOp.append("k", "x"), null, 0, 1),
                op(0, KvOp.put("k", "z"), null, 2, 3),
                op(1, KvOp.get("k"), "z", 4, 5))).verdict());
    }

    @Test
    void unknownAppendMayApplyLateOrNever() {
        var lost = Operation.<KvOp, String>unknown(0, KvOp.append("k", "x"), 0);
        assertEquals(Verdict.LINEARIZABLE, check(List.of(lost, op(1, KvOp.get("k"), "", 1, 2),
                op(1, KvOp.get("k"), "x", 3, 4))).verdict());
        assertEquals(Verdict.LINEARIZABLE, check(List.of(lost, op(1, KvOp.get("k"), "", 5, 6))).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, check(List.of(lost, op(1, KvOp.get("k"), "xx", 5, 6))).verdict());
    }

    @Test
    void oneBadKeyAmongManyIsFoundAndNamed() {
        List<Operation<KvOp, String>> ops = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            String key = "key" + k;
            ops.add(op(k, KvOp.append(key, "a"), null, 10L * k, 10L * k + 1));
            ops.add(op(k, KvOp.get(key), k == 13 ? "aa" : "a", 10L * k + 2, 10L * k + 3));
        }
        CheckResult<KvOp, String> result = check(ops);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertTrue(result.report().contains("key13"), result.report());
        assertEquals(1, result.partialLinearization().size());

        ops.set(27, op(13, KvOp.get("key13"), "a", 132, 133));
        assertEquals(Verdict.LINEARIZABLE, check(ops).verdict());
    }
}
