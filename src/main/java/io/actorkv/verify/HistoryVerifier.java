package io.actorkv.verify;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Checks history files of a named format, one verdict per file, files one after another. */
public final class HistoryVerifier {

    /** Jepsen etcd register logs, see {@link JepsenEtcdHistory}. */
    public static final String JEPSEN_ETCD = "jepsen-etcd";
    /** Porcupine key-value logs, see {@link PorcupineKvHistory}. */
    public static final String PORCUPINE_KV = "porcupine-kv";
    /** Accepted format names. */
    public static final List<String> FORMATS = List.of(JEPSEN_ETCD, PORCUPINE_KV);
    /** Time limit per file when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Verdict for one file.
     *
     * @param report the checker's explanation (the partial linearization when not linearizable)
     */
    public record FileVerdict(Path file, Verdict verdict, String report, Duration elapsed) {
    }

    private HistoryVerifier() {
    }

    /**
     * Parses and checks each file within {@code timeoutPerFile}.
     *
     * @throws IllegalArgumentException on an unknown format or a malformed file
     * @throws IOException              if a file cannot be read
     */
    public static List<FileVerdict> verify(String format, List<Path> files, Duration timeoutPerFile)
            throws IOException {
        requireKnown(format);
        List<FileVerdict> verdicts = new ArrayList<>();
        for (Path file : files) {
            verdicts.add(verify(format, file, timeoutPerFile));
        }
        return verdicts;
    }

    /** Parses and checks one file; the time limit covers the check, not the parsing. */
    public static FileVerdict verify(String format, Path file, Duration timeout) throws IOException {
        CheckResult<?, ?> result = switch (requireKnown(format)) {
            case JEPSEN_ETCD -> Checker.check(Models.register(), some(JepsenEtcdHistory.parse(file), format, file),
                    timeout);
            default -> Checker.check(Models.kv(), some(PorcupineKvHistory.parse(file), format, file), timeout);
        };
        return new FileVerdict(file, result.verdict(), result.report(), result.elapsed());
    }

    /** {@code history}, unless it is empty: a file with no operation of its format is not a history of it. */
    private static <T> List<T> some(List<T> history, String format, Path file) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("no " + format + " operations in " + file
                    + " (is it a history of that format?)");
        }
        return history;
    }

    private static String requireKnown(String format) {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown history format '" + format + "', expected one of " + FORMATS);
        }
        return format;
    }
}
