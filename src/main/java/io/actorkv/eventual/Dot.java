package io.actorkv.eventual;

import org.apache.pekko.cluster.UniqueAddress;

/** One write's identity: the node that made it and that node's write counter at the time. */
public record Dot(UniqueAddress node, long counter) implements Comparable<Dot> {

  @Override
  public int compareTo(Dot o) {
    int byNode = node.compareTo(o.node);
    return byNode != 0 ? byNode : Long.compare(counter, o.counter);
  }
}
