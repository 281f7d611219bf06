package io.actorkv.strong;

import com.typesafe.config.Config;

/**
 * How many bytes of a strong key's values one message between nodes
 * carries. Artery drops a message over its frame size, so a single value
 * must fit one ({@code Node} checks the value limit against it at start),
 * and so must a transaction's part on one key, each way: the values its
 * puts carry to the key ({@link KeyEntity.Prepare}), and the key's value
 * with what its gets answer ({@link KeyReply.Prepared}). The transaction
 * is refused otherwise, on every node alike, wherever the key lives.
 */
public final class MessageBudget {

  /** Room, in one message, for what travels with the values: the command or reply around them. */
  public static final long OVERHEAD_BYTES = 64 * 1024;

  private MessageBudget() {}

  /** The value bytes one message carries under {@code config}'s frame size. */
  static long valueBytes(Config config) {
    return config.getBytes("pekko.remote.artery.advanced.maximum-frame-size") - OVERHEAD_BYTES;
  }

  /** The value bytes {@code prepared} carries. */
  static long valueBytes(KeyReply.Prepared prepared) {
    long bytes = prepared.value() == null ? 0 : prepared.value().bytes().length;
    for (var branch : java.util.List.of(prepared.success(), prepared.failure())) {
      for (KeyReply.OpResult result : branch) {
        if (result.value() != null) bytes += result.value().bytes().length;
      }
    }
    return bytes;
  }
}
