package io.actorkv.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.persistence.PersistentRepr;

/**
 * Work that {@link SqlJournal} does inside the transaction of every batch
 * it commits, after the batch's events are inserted: what it writes commits
 * with the events or not at all. One per actor system; none until a node
 * registers one (the key index, on a node whose journal is its own).
 */
public final class JournalHooks implements Extension {

  /** Done in the transaction of a batch, on its connection; an exception fails the batch. */
  public interface WriteHook {
    void written(Connection c, List<PersistentRepr> events) throws SQLException;
  }

  private static final WriteHook NONE = (c, events) -> { };

  private volatile WriteHook hook = NONE;

  public static JournalHooks get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** From the next batch on, {@code hook} runs in every batch's transaction. */
  public void register(WriteHook writeHook) {
    this.hook = writeHook;
  }

  WriteHook hook() {
    return hook;
  }

  public static final class Id extends AbstractExtensionId<JournalHooks> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public Id lookup() {
      return INSTANCE;
    }

    @Override
    public JournalHooks createExtension(ExtendedActorSystem system) {
      return new JournalHooks();
    }
  }
}
