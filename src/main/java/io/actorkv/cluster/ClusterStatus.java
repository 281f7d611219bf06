package io.actorkv.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** What this node knows of the cluster, for readiness and for {@code GET /v1/cluster}. */
public final class ClusterStatus {

  private final Cluster cluster;

  public ClusterStatus(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
  }

  /** A node serves requests only while it is a member in good standing. */
  public boolean ready() {
    MemberStatus status = cluster.selfMember().status();
    return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
  }

  public Map<String, Object> describe() {
    var state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("address", m.address().toString());
      entry.put("status", m.status().toString());
      entry.put("reachable", !unreachable.contains(m));
      entry.put("roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
      members.add(entry);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("self", cluster.selfMember().address().toString());
    out.put("selfStatus", cluster.selfMember().status().toString());
    out.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    out.put("members", members);
    out.put("unreachable", unreachable.stream().map(m -> m.address().toString()).collect(Collectors.toList()));
    return out;
  }
}
