package io.actorkv.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Answers {@link KeyOutcome.NotReady} while this node is not a member in good standing; nothing reaches a store. */
public final class ReadinessGate implements StoreFilter {

  private static final CompletionStage<KeyOutcome> NOT_READY = CompletableFuture.completedStage(new KeyOutcome.NotReady());

  private final BooleanSupplier ready;

  public ReadinessGate(BooleanSupplier ready) {
    this.ready = ready;
  }

  @Override
  public CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                           Supplier<CompletionStage<KeyOutcome>> next) {
    return ready.getAsBoolean() ? next.get() : NOT_READY;
  }
}
