package io.actorkv.verify;

import java.util.Objects;

/**
 * One client operation of a history: invoked at {@code call}, answered with {@code output} at
 * {@code ret}. Times only need to be comparable within one history (event indexes will do).
 * Equal times count as concurrent: an operation called at the instant another returns may be
 * ordered either way.
 *
 * <p>An operation whose outcome is unknown (timed out, crashed, still open when the history
 * ended) has {@code ret == }{@link #UNKNOWN_RETURN} and a {@code null} output; see {@link Model}
 * for how the checker treats it.
 *
 * @param clientId the process that issued it (informational only)
 * @param input    what was asked, never null
 * @param call     invocation time
 * @param output   what was answered; ignored (and usually null) when the outcome is unknown
 * @param ret      return time, at least {@code call}, or {@link #UNKNOWN_RETURN}
 */
public record Operation<I, O>(int clientId, I input, long call, O output, long ret) {

    /** Return time of an operation whose outcome is unknown: after every other event. */
    public static final long UNKNOWN_RETURN = Long.MAX_VALUE;

    public Operation {
        Objects.requireNonNull(input, "input");
        if (ret < call) {
            throw new IllegalArgumentException("operation returns (" + ret + ") before its call (" + call + ")");
        }
        if (call == UNKNOWN_RETURN) {
            throw new IllegalArgumentException("call time must be below UNKNOWN_RETURN");
        }
    }

    /** A completed operation. */
    public static <I, O> Operation<I, O> completed(int clientId, I input, long call, O output, long ret) {
        if (ret == UNKNOWN_RETURN) {
            throw new IllegalArgumentException("a completed operation needs a finite return time");
        }
        return new Operation<>(clientId, input, call, output, ret);
    }

    /** An operation that may have taken effect at any time after {@code call}, or never. */
    public static <I, O> Operation<I, O> unknown(int clientId, I input, long call) {
        return new Operation<>(clientId, input, call, null, UNKNOWN_RETURN);
    }

    /** True if this operation's outcome is unknown (its return time is +infinity). */
    public boolean outcomeUnknown() {
        return ret == UNKNOWN_RETURN;
    }
}
