package io.actorkv.verify;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Checker#check} found.
 *
 * @param verdict              linearizable, not, or unknown (time limit reached)
 * @param partialLinearization for NOT_LINEARIZABLE, the longest prefix of a linearization the
 *                             search found for the failing partition, in order; empty otherwise
 * @param frontier             for NOT_LINEARIZABLE, the operations that could have come next
 *                             after that prefix, none of which fits; empty otherwise
 * @param report               human-readable explanation, several lines when not linearizable
 * @param elapsed              wall-clock time of the check
 */
public record CheckResult<I, O>(
        Verdict verdict,
        List<Operation<I, O>> partialLinearization,
        List<Operation<I, O>> frontier,
        String report,
        Duration elapsed) {

    public CheckResult {
        partialLinearization = List.copyOf(partialLinearization);
        frontier = List.copyOf(frontier);
    }

    public boolean linearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }
}
