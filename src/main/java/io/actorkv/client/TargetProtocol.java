package io.actorkv.client;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * How a kind of store is spoken to: the bytes of a read or a write of key {@code key-<n>}, and
 * whether an answer counts as a success. Keeping only this per store lets every store be driven
 * by the same connections, pacing and measurements. An instance may keep scratch buffers, so
 * each connection has its own.
 */
interface TargetProtocol {

  enum Kind {
    ACTORKV,
    ETCD;

    static Kind of(String name) {
      for (Kind k : values()) {
        if (k.label().equals(name)) return k;
      }
      throw new IllegalArgumentException("unknown target kind '" + name + "'; expected actorkv or etcd");
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static TargetProtocol of(Kind kind, String host, int port, String namespace, byte[] value, Optional<String> token) {
    String hostHeader = host + ":" + port;
    return switch (kind) {
      case ACTORKV -> new ActorKvProtocol(hostHeader, namespace, value, token);
      case ETCD -> new EtcdProtocol(hostHeader, value);
    };
  }

  /** The key every request for key number {@code n} names. */
  static String keyName(int n) {
    return "key-" + n;
  }

  /** Replaces {@code out}'s content with the whole request (head and body) for {@code op} on key {@code key}. */
  void encode(Op op, int key, RequestBytes out);

  /** {@code null} if the answer is a success for {@code op}, else the kind of error it counts as. */
  String judge(Op op, int status, byte[] body, int bodyLength);

  /** Readies the target before any load, on one connection (e.g. creates the namespace). */
  default void prepare(HttpConnection connection) throws IOException {
  }

  /** The error kind of an unexpected status: {@code http_<status>}, without building a string per error. */
  static String httpError(int status) {
    return status >= 100 && status < 600 ? HttpErrors.NAMES[status] : "http_" + status;
  }

  /** Holder of the {@code http_<status>} names. */
  final class HttpErrors {
    private static final String[] NAMES = new String[600];

    static {
      for (int s = 100; s < 600; s++) NAMES[s] = "http_" + s;
    }

    private HttpErrors() {}
  }
}
