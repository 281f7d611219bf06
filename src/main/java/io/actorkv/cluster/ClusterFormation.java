package io.actorkv.cluster;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * How a node becomes a member: by its seed list, alone when it has none, or
 * through Cluster Bootstrap, whose contact points Kubernetes lists.
 */
public final class ClusterFormation {

  /** Every node's actor system has this name; remote addresses are {@code pekko://actorkv@host:port}. */
  public static final String SYSTEM_NAME = "actorkv";

  private ClusterFormation() {}

  /** With no seeds the node forms a cluster of its own; otherwise it joins through them. */
  public static void join(ActorSystem<?> system, List<String> seeds) {
    Cluster cluster = Cluster.get(system);
    if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    List<Address> addresses = seeds.stream()
        .map(seed -> AddressFromURIString.parse("pekko://" + SYSTEM_NAME + "@" + seed))
        .toList();
    cluster.manager().tell(new JoinSeedNodes(addresses));
  }

  /**
   * Starts Cluster Bootstrap (kubernetes.conf): the node lists its pods, asks
   * their management endpoints for the cluster's seed nodes and joins them,
   * or, when no cluster exists and enough pods answer, the pod with the
   * lowest address forms one. Pekko Management must already be started: it
   * serves this node's own contact point, which bootstrap waits for.
   */
  public static void bootstrap(ActorSystem<?> system) {
    ClusterBootstrap.get(system.classicSystem()).start();
  }
}
