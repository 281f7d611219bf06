package io.actorkv.http;

import io.actorkv.namespace.Mode;

/** The largest value a PUT may store, by the namespace's mode; checked while the body streams in. */
public record ValueLimits(long strong, long eventual) {

  long of(Mode mode) {
    return mode == Mode.EVENTUAL ? eventual : strong;
  }
}
