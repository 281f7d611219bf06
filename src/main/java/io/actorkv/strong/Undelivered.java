package io.actorkv.strong;

import org.apache.pekko.actor.AllDeadLetters;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.WrappedMessage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * Tells the sender of a key's command that sharding did not deliver it, so
 * the store sends it again instead of waiting out the request's deadline.
 *
 * <p>Sharding delivers at most once. A shard that hands off (a rebalance, a
 * node leaving in a rolling restart) drops the messages its region buffered
 * for it meanwhile, to keep their order; a message for an entity that has
 * stopped goes to dead letters. Either way the entity never saw the command,
 * so nothing was applied and sending it again cannot apply a write twice.
 * One listener per node reads the dead letters of that node (where the drop
 * happens) and answers {@link KeyReply.NotDelivered} to the command's reply
 * address, wherever in the cluster its asker is.
 */
final class Undelivered {

  private Undelivered() {}

  static void listen(ActorSystem<?> system) {
    var listener = system.systemActorOf(behavior(), "undelivered-key-commands", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(AllDeadLetters.class, listener));
  }

  private static Behavior<AllDeadLetters> behavior() {
    return Behaviors.receiveMessage(dead -> {
      if (dead instanceof Dropped || dead instanceof DeadLetter) {
        if (unwrap(dead.message()) instanceof KeyEntity.Request request) {
          request.replyTo().tell(new KeyReply.NotDelivered());
        }
      }
      return Behaviors.same();
    });
  }

  /** The command inside the envelopes sharding and dead letters put around it. */
  static Object unwrap(Object message) {
    Object m = message;
    for (int depth = 0; depth < 8; depth++) {
      if (m instanceof Dropped d) m = d.message();
      else if (m instanceof DeadLetter d) m = d.message();
      else if (m instanceof ShardingEnvelope<?> e) m = e.message();
      else if (m instanceof WrappedMessage w) m = w.message();
      else return m;
    }
    return m;
  }
}
