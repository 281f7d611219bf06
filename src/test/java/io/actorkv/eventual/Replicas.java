package io.actorkv.eventual;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;

/** Node addresses for CRDT tests that need no running cluster. */
final class Replicas {

  private Replicas() {}

  static UniqueAddress node(int i) {
    return new UniqueAddress(new Address("pekko", "actorkv", "127.0.0.1", 25520 + i), 1000L + i);
  }

  static Version value(String s, long timestamp) {
    return Version.value(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain", timestamp, 0);
  }

  static String text(Version v) {
    return new String(v.value(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
