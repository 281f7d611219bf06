package io.actorkv.metrics;

import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.RequestContext;
import io.actorkv.store.StoreFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Times every key operation, by operation, the namespace's mode and the
 * outcome (the {@link KeyOutcome}'s name in snake case, or {@code timeout}
 * and {@code error} when the store could not tell). The outermost filter, so
 * requests a node refuses ({@code not_ready}) count too.
 */
public final class KeyOperationMetrics implements StoreFilter {

  private final MeterRegistry registry;

  public KeyOperationMetrics(Metrics metrics) {
    this.registry = metrics.registry();
  }

  @Override
  public CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                           Supplier<CompletionStage<KeyOutcome>> next) {
    long start = System.nanoTime();
    return next.get().whenComplete((outcome, failure) -> Timer.builder("actorkv.key.operations")
        .description("Key operations by operation, namespace mode and outcome")
        .tag("operation", operation(request))
        .tag("mode", request.namespace().mode().wireName())
        .tag("outcome", outcome != null ? outcome(outcome) : failure(failure))
        .publishPercentileHistogram()
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  static String operation(KeyRequest request) {
    return snake(request.getClass().getSimpleName());
  }

  static String outcome(KeyOutcome outcome) {
    return snake(outcome.getClass().getSimpleName());
  }

  private static String failure(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof TimeoutException ? "timeout" : "error";
  }

  /** {@code PreconditionFailed} as {@code precondition_failed}. */
  private static String snake(String name) {
    return name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
