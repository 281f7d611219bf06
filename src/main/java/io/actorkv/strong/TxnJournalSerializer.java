package io.actorkv.strong;

import io.actorkv.base.JournalSerializer;
import java.util.Map;

/** The stable names of what transactions keep in the journal: keys' locks, transactions' outcomes and
 * the claims of transactions sent with an idempotency key. */
public final class TxnJournalSerializer extends JournalSerializer {

  public TxnJournalSerializer() {
    super(730_005, Map.of(
        "kvlock.held", KeyLock.Held.class,
        "kvlock.released", KeyLock.Released.class,
        "kvlock.state", KeyLock.State.class,
        "txn.decided", TxnRecord.Decided.class,
        "txn.state", TxnRecord.State.class,
        "txn-claim.taken", TxnClaim.ClaimTaken.class,
        "txn-claim.attempt", TxnClaim.AttemptStarted.class,
        "txn-claim.completed", TxnClaim.Completed.class));
  }
}
