package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryParsersTest {

    @Test
    void jepsenEventsMapToOperations() {
        List<String> log = List.of(
                "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
                "INFO  jepsen.util - 0\t:ok\t:read\tnil",
                "some other log line",
                "INFO  jepsen.util - 1   :invoke :write  3",
                "INFO  jepsen.util - 2\t:invoke\t:cas\t[1 4]",
                "INFO  jepsen.util - 1\t:ok\t:write\t3",
                "INFO  jepsen.util - 2\t:fail\t:cas\t[1 4]",
                "INFO  jepsen.util - 3\t:invoke\t:read\tnil",
                "INFO  jepsen.util - 3\t:fail\t:read\t:timed-out",
                "INFO  jepsen.util - 4\t:invoke\t:write\t7",
                "INFO  jepsen.util - 4\t:info\t:write\t:timed-out",
                "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
                "INFO  jepsen.util - 0\t:ok\t:read\t3",
                "INFO  jepsen.util - 5\t:invoke\t:cas\t[3 9]");
        var ops = JepsenEtcdHistory.parse(log, "test.log");
        assertEquals(6, ops.size(), ops.toString()); // the timed-out read is dropped

        var firstRead = ops.get(0);
        assertEquals(RegisterOp.read(), firstRead.input());
        assertNull(firstRead.output().value());
        assertEquals(0, firstRead.call());
        assertEquals(1, firstRead.ret());

        var write = ops.get(1);
        assertEquals(RegisterOp.write("3"), write.input());
        assertTrue(write.call() < write.ret());

        var failedCas = ops.get(2);
        assertEquals(RegisterOp.cas("1", "4"), failedCas.input());
        assertFalse(failedCas.output().applied());
        assertFalse(failedCas.outcomeUnknown());

        var timedOutWrite = ops.get(3);
        assertEquals(RegisterOp.write("7"), timedOutWrite.input());
        assertTrue(timedOutWrite.outcomeUnknown());

        assertEquals("3", ops.get(4).output().value());

        var openAtEnd = ops.get(5);
        assertEquals(RegisterOp.cas("3", "9"), openAtEnd.input());
        assertTrue(openAtEnd.outcomeUnknown());

        assertEquals(Verdict.LINEARIZABLE,
                Checker.check(Models.register(), ops, Duration.ofSeconds(5)).verdict());
    }

    @Test
    void aJepsenLogWrittenFromAHistoryReadsBackAsIt() {
        List<Operation<RegisterOp, RegisterOutput>> history = List.of(
                Operation.completed(0, RegisterOp.read(), 0, RegisterOutput.read(null), 2),
                Operation.completed(1, RegisterOp.write("a"), 1, RegisterOutput.ok(), 5),
                Operation.unknown(2, RegisterOp.write("lost"), 2),
                Operation.completed(0, RegisterOp.cas("a", "b"), 5, RegisterOutput.casFailed(), 6),
                Operation.completed(3, RegisterOp.cas("a", "c"), 5, RegisterOutput.ok(), 9),
                Operation.completed(1, RegisterOp.read(), 7, RegisterOutput.read("c"), 8),
                Operation.unknown(4, RegisterOp.cas("c", "d"), 9));
        var back = JepsenEtcdHistory.parse(JepsenEtcdHistory.format(history), "written.log");

        assertEquals(history.size(), back.size());
        var before = history.stream().sorted(Comparator.comparingLong(Operation::call)).toList();
        var after = back.stream().sorted(Comparator.comparingLong(Operation::call)).toList();
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).input(), after.get(i).input());
            assertEquals(before.get(i).output(), after.get(i).output());
            assertEquals(before.get(i).outcomeUnknown(), after.get(i).outcomeUnknown());
            for (int j = 0; j < before.size(); j++) {
                assertEquals(before.get(i).ret() < before.get(j).call(), after.get(i).ret() < after.get(j).call(),
                        "order of " + before.get(i) + " and " + before.get(j));
            }
        }
        assertEquals(Checker.check(Models.register(), history, Duration.ofSeconds(5)).verdict(),
                Checker.check(Models.register(), back, Duration.ofSeconds(5)).verdict());
    }

    @Test
    void valuesThatAJepsenLogCannotHoldAreRefused() {
        for (String value : List.of("nil", "two words", "x]")) {
            assertThrows(IllegalArgumentException.class, () -> JepsenEtcdHistory.format(
                    List.of(Operation.unknown(0, RegisterOp.write(value), 0))), value);
        }
    }

    @Test
    void malformedJepsenLineNamesTheLine() {
        var e = assertThrows(IllegalArgumentException.class, () -> JepsenEtcdHistory.parse(
                List.of("INFO  jepsen.util - 0\t:invoke\t:read\tnil", "INFO  jepsen.util - 0\t:ok\t:frob\t1"), "x.log"));
        assertTrue(e.getMessage().startsWith("x.log:2:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JepsenEtcdHistory.parse(
                List.of("INFO  jepsen.util - 0\t:ok\t:read\t1"), "x.log"));
    }

    @Test
    void kvEventsMapToOperations() {
        List<String> log = List.of(
                "{:process 0, :type :invoke, :f :put, :key \"3\", :value \"x 0 1 y\"}",
                "{:process 1, :type :invoke, :f :get, :key \"3\", :value nil}",
                "{:process 0, :type :ok, :f :put, :key \"3\", :value \"x 0 1 y\"}",
                "",
                "{:process 1, :type :ok, :f :get, :key \"3\", :value \"x 0 1 y\"}",
                "{:process 2, :type :invoke, :f :append, :key \"4\", :value \"a \\\"q\\\"\"}",
                "{:process 3, :type :invoke, :f :append, :key \"4\", :value \"b\"}",
                "{:process 3, :type :fail, :f :append, :key \"4\", :value \"b\"}");
        var ops = PorcupineKvHistory.parse(log, "kv.txt");
        assertEquals(3, ops.size(), ops.toString());
        assertEquals(KvOp.put("3", "x 0 1 y"), ops.get(0).input());
        assertEquals(0, ops.get(0).call());
        assertEquals(2, ops.get(0).ret());
        assertEquals(KvOp.get("3"), ops.get(1).input());
        assertEquals("x 0 1 y", ops.get(1).output());
        assertEquals(KvOp.append("4", "a \"q\""), ops.get(2).input());
        assertTrue(ops.get(2).outcomeUnknown());
    }

    @Test
    void malformedKvLineNamesTheLine() {
        var e = assertThrows(IllegalArgumentException.class, () -> PorcupineKvHistory.parse(
                List.of("{:process 0, :type :invoke, :f :put, :key \"3\", :value \"x\"", "x"), "kv.txt"));
        assertTrue(e.getMessage().startsWith("kv.txt:1:"), e.getMessage());
    }
}
