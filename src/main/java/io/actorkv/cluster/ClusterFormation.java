package io.actorkv.cluster;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/** How a node becomes a member: by its seed list, or alone when it has none. */
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
}
