package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The reference histories in {@code ../shared/histories} (next to the project directory) must
 * each get exactly the verdict in their folder's {@code verdicts.csv}, within 10 s per file.
 */
class SharedHistoriesTest {

    private static final Duration PER_FILE = Duration.ofSeconds(10);

    private static Path sharedRoot() {
        return Path.of(System.getProperty("user.dir"), "..", "shared", "histories").normalize();
    }

    @TestFactory
    Stream<DynamicTest> jepsenEtcdHistories() throws IOException {
        return cases("jepsen-etcd", HistoryVerifier.JEPSEN_ETCD);
    }

    @TestFactory
    Stream<DynamicTest> porcupineKvHistories() throws IOException {
        return cases("kv", HistoryVerifier.PORCUPINE_KV);
    }

    private static Stream<DynamicTest> cases(String folder, String format) throws IOException {
        Path dir = sharedRoot().resolve(folder);
        Path csv = dir.resolve("verdicts.csv");
        assertTrue(Files.isRegularFile(csv), "missing " + csv);
        List<DynamicTest> tests = new ArrayList<>();
        for (String row : Files.readAllLines(csv)) {
            String[] cells = row.strip().split("\\s*,\\s*");
            if (row.isBlank() || cells[0].equals("file")) {
                continue;
            }
            assertEquals(2, cells.length, "bad row in " + csv + ": " + row);
            Path file = dir.resolve(cells[0]);
            Verdict expected = Boolean.parseBoolean(cells[1]) ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE;
            tests.add(DynamicTest.dynamicTest(cells[0], () -> {
                HistoryVerifier.FileVerdict verdict = assertTimeoutPreemptively(PER_FILE,
                        () -> HistoryVerifier.verify(format, file, PER_FILE));
                assertEquals(expected, verdict.verdict(), verdict.report());
            }));
        }
        assertFalse(tests.isEmpty(), "no verdicts in " + csv);
        return tests.stream();
    }
}
