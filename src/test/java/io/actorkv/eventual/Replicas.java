package io.actorkv.eventual;

import io.actorkv.store.Expiry;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;

/** Node addresses for CRDT tests that need no running cluster. */
final class Replicas {

  private Replicas() {}

  private static final String SYSTEM = "actorkv";

  static UniqueAddress node(int i) {
    return new UniqueAddress(new Address("pekko", SYSTEM, "127.0.0.1", 25520 + i), 1000L + i);
  }

  /**
   * A local actor system to serialize and store replicas in. It has the
   * name of {@link #node}'s addresses: Pekko writes a set's nodes without the
   * system name, and reads them back with its own.
   */
  static ActorSystem localSystem() {
    return ActorSystem.create(SYSTEM, ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(ConfigFactory.load()));
  }

  static Version value(String s, long timestamp) {
    return Version.value(s.getBytes(StandardCharsets.UTF_8), "text/plain", timestamp, Expiry.NEVER);
  }

  static KeyEntry merge(KeyEntry a, KeyEntry b) {
    return (KeyEntry) a.merge(b);
  }

  static String text(Version v) {
    return new String(v.value(), StandardCharsets.UTF_8);
  }
}
