package io.actorkv.verify;

import io.actorkv.base.FileFailures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Body of the {@code verify-history --format jepsen-etcd|porcupine-kv FILE...} command.
 *
 * <p>Prints one line per file, {@code FILE linearizable|not-linearizable|unknown}, or
 * {@code FILE error: MESSAGE} if the file cannot be read or parsed. Exit code: 1 if any file is
 * not linearizable (a definite violation outranks everything else); otherwise 2 if any file is
 * unknown (time limit reached) or in error, or if the format is unknown; otherwise 0 (every file
 * linearizable, vacuously so for no files).
 */
public final class VerifyHistory {

    public static final int EXIT_LINEARIZABLE = 0;
    public static final int EXIT_NOT_LINEARIZABLE = 1;
    public static final int EXIT_UNDECIDED = 2;

    private VerifyHistory() {
    }

    /** As {@link #run(String, List, PrintStream, Duration, boolean)} with the default time limit, no reports. */
    public static int run(String format, List<Path> files, PrintStream out) {
        return run(format, files, out, HistoryVerifier.DEFAULT_TIMEOUT, false);
    }

    /**
     * Checks the files one by one, printing each verdict as soon as it is known.
     *
     * @param timeoutPerFile time limit for checking each file
     * @param verbose        also print the checker's report (the longest partial linearization
     *                       for a non-linearizable file) after the verdict line
     * @return the exit code described on the class
     */
    public static int run(String format, List<Path> files, PrintStream out, Duration timeoutPerFile,
                          boolean verbose) {
        if (!HistoryVerifier.FORMATS.contains(format)) {
            out.println("error: unknown history format '" + format + "', expected one of "
                    + String.join(", ", HistoryVerifier.FORMATS));
            return EXIT_UNDECIDED;
        }
        boolean violation = false;
        boolean undecided = false;
        for (Path file : files) {
            try {
                HistoryVerifier.FileVerdict verdict = HistoryVerifier.verify(format, file, timeoutPerFile);
                out.println(file + " " + verdict.verdict().label());
                if (verbose) {
                    verdict.report().lines().forEach(line -> out.println("    " + line));
                }
                violation |= verdict.verdict() == Verdict.NOT_LINEARIZABLE;
                undecided |= verdict.verdict() == Verdict.UNKNOWN;
            } catch (IOException e) {
                out.println(file + " error: " + FileFailures.reason(e));
                undecided = true;
            } catch (IllegalArgumentException e) {
                out.println(file + " error: " + e.getMessage());
                undecided = true;
            }
            out.flush();
        }
        return violation ? EXIT_NOT_LINEARIZABLE : undecided ? EXIT_UNDECIDED : EXIT_LINEARIZABLE;
    }
}
