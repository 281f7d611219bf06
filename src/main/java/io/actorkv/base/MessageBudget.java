package io.actorkv.base;

import com.typesafe.config.Config;

/**
 * How many bytes of data one message between nodes carries. Artery drops
 * a message over its frame size, so whatever the cluster must send in one
 * message is held to it where it is made: a single strong value ({@code
 * Node} checks the value limit at start), a transaction's part on one key
 * each way, the access rules every node is sent. A request that would
 * need more is refused on every node alike, wherever its data would go.
 */
public final class MessageBudget {

  /** Room, in one message, for what travels with the data: the command or reply around it. */
  public static final long OVERHEAD_BYTES = 64 * 1024;

  /** What one item of a message (an operation, a result) is counted at beside its data. */
  public static final int ITEM_BYTES = 64;

  private MessageBudget() {}

  /** The data bytes one message carries under {@code config}'s frame size. */
  public static long bytes(Config config) {
    return config.getBytes("pekko.remote.artery.advanced.maximum-frame-size") - OVERHEAD_BYTES;
  }

  /** {@code s}'s length, at most its UTF-8 bytes; 0 for null. */
  public static long bytes(String s) {
    return s == null ? 0 : 3L * s.length();
  }
}
