package io.actorkv.store;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request's id for log lines and answers: the one the client gave, or one
 * this node makes, unique on it ({@code <node prefix>-<serial>}). A made id
 * is spelled out only when something asks for it, which most requests never
 * do.
 */
public final class RequestId {

  /** Tells this node's ids from another's, and from those of its previous run. */
  private static final String NODE_PREFIX = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
  private static final AtomicLong NEXT = new AtomicLong();

  private final long serial;
  private String text;

  private RequestId(String given, long serial) {
    this.text = given;
    this.serial = serial;
  }

  /** The id the client gave. */
  public static RequestId given(String id) {
    return new RequestId(id, -1);
  }

  /** A new id of this node's. */
  public static RequestId next() {
    return new RequestId(null, NEXT.incrementAndGet());
  }

  /** Whether the client gave this id. */
  public boolean isGiven() {
    return serial < 0;
  }

  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      t = NODE_PREFIX + Long.toString(serial, 36);
      text = t;
    }
    return t;
  }
}
