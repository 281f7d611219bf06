package io.actorkv.verify;

import java.util.Locale;

/** Outcome of a linearizability check. {@code UNKNOWN} is only ever given when the time limit ran out. */
public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    UNKNOWN;

    /** The lower-case, hyphenated form printed by the CLI, e.g. {@code not-linearizable}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
