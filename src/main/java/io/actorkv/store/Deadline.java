package io.actorkv.store;

import io.actorkv.base.Stages;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Every key request is answered by its deadline. The stores keep it where
 * they wait on an actor (an ask times out, an eventual level is given up),
 * but not where they wait on the journal's database (a listing, a key's
 * history, a past revision): frozen, it held those requests until Pekko
 * HTTP's own timeout. This fails the request with a timeout {@link #GRACE}
 * after the deadline, so that a store's own answer at the deadline, more
 * telling, comes first.
 */
public final class Deadline implements StoreFilter {

  /** How long after the deadline a request that a store has not answered fails. */
  public static final Duration GRACE = Duration.ofMillis(500);

  @Override
  public CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                           Supplier<CompletionStage<KeyOutcome>> next) {
    return Stages.within(next.get(), context.remaining().plus(GRACE));
  }
}
