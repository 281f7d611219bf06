package io.actorkv.cluster;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.RemoteTransport;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.ThrottleMode;
import scala.jdk.javaapi.FutureConverters;

/**
 * Cuts and heals the network between this node and a peer, so fault-injection
 * tests can partition real node processes on one machine without root (no
 * iptables or netem). Exists for tests only and works only in test mode
 * ({@code actorkv.test-mode = on}, which turns on
 * {@code pekko.remote.artery.advanced.test-mode}): there Artery runs every
 * message through a stage that drops those to and from blackholed addresses.
 *
 * <p>A blackhole is this node's decision alone: a clean partition needs it on
 * both sides. Messages are dropped while the association stays, so after a
 * heal the nodes see each other reachable again within a few heartbeats. This
 * leans on Pekko's internal remoting API
 * ({@code RemoteActorRefProvider.transport().managementCommand(SetThrottle)}),
 * as Pekko's own multi-node test kit does.
 */
public final class NetworkFaults {

  private static final String TEST_MODE = "pekko.remote.artery.advanced.test-mode";
  /** {@code host:port} as in {@code --seed}: a host name or IPv4 address, and a port. */
  private static final Pattern PEER = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})");

  private final RemoteTransport transport;

  private NetworkFaults(RemoteTransport transport) {
    this.transport = transport;
  }

  /** Fails unless the system runs Artery in test mode, where a blackhole would silently do nothing. */
  public static NetworkFaults of(ActorSystem<?> system) {
    if (!system.settings().config().getBoolean(TEST_MODE)) {
      throw new IllegalStateException(TEST_MODE + " is off; network faults need test mode");
    }
    ExtendedActorSystem classic = (ExtendedActorSystem) system.classicSystem();
    if (!(classic.provider() instanceof RemoteActorRefProvider remote)) {
      throw new IllegalStateException("network faults need remoting; the actor provider is local");
    }
    return new NetworkFaults(remote.transport());
  }

  /**
   * The Artery address of the node whose remote address is {@code hostPort}.
   *
   * @throws IllegalArgumentException when it is not {@code host:port}
   */
  public static Address peerAddress(String hostPort) {
    Objects.requireNonNull(hostPort, "hostPort");
    Matcher m = PEER.matcher(hostPort);
    int port = m.matches() ? Integer.parseInt(m.group(3)) : 0;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected host:port with a port from 1 to 65535, not '" + hostPort + "'");
    }
    return new Address("pekko", ClusterFormation.SYSTEM_NAME, m.group(1), port);
  }

  /** Drops every message from this node to {@code peer} and from {@code peer} to this node. */
  public CompletionStage<Void> blackhole(Address peer) {
    return command(peer, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  /** Lets traffic between this node and {@code peer} through again. */
  public CompletionStage<Void> heal(Address peer) {
    return command(peer, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private CompletionStage<Void> command(Address peer, ThrottleMode mode) {
    Objects.requireNonNull(peer, "peer");
    // Artery handles both modes at once and always answers true.
    SetThrottle both = new SetThrottle(peer, ThrottlerTransportAdapter.bothDirection(), mode);
    return FutureConverters.asJava(transport.managementCommand(both)).thenApply(handled -> null);
  }
}
