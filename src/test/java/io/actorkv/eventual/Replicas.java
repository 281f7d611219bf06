package io.actorkv.eventual;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;

/** Node addresses for CRDT tests that need no running cluster. */
final class Replicas {

  private Replicas() {}

  static UniqueAddress node(int i) {
    return new UniqueAddress(new Address("pekko", "actorkv", "127.0.0.1", 25520 + i), 1000L + i);
  }

  static Version value(String s, long timestamp) {
    return Version.value(s.getBytes(StandardCharsets.UTF_8), "text/plain", timestamp, 0);
  }

  static KeyEntry merge(KeyEntry a, KeyEntry b) {
    return (KeyEntry) a.merge(b);
  }

  static String text(Version v) {
    return new String(v.value(), StandardCharsets.UTF_8);
  }
}
