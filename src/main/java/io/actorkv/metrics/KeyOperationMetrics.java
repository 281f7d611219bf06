package io.actorkv.metrics;

import io.actorkv.base.Stages;
import io.actorkv.namespace.Mode;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.RequestContext;
import io.actorkv.store.StoreFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  /** The timers made so far: Micrometer would otherwise build and sort the tags of each on every request. */
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

  /** One timer's labels, as classes and the mode: no string is made on the request path. */
  private record Series(Class<?> operation, Mode mode, Class<?> outcome, String failure) {}

  public KeyOperationMetrics(Metrics metrics) {
    this.registry = metrics.registry();
  }

  @Override
  public CompletionStage<KeyOutcome> apply(RequestContext context, KeyRequest request,
                                           Supplier<CompletionStage<KeyOutcome>> next) {
    long start = System.nanoTime();
    return next.get().whenComplete((outcome, failure) -> {
      Series series = new Series(request.getClass(), request.namespace().mode(),
          outcome == null ? null : outcome.getClass(), outcome == null ? failure(failure) : null);
      timers.computeIfAbsent(series, this::timer).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    });
  }

  private Timer timer(Series series) {
    return Timer.builder("actorkv.key.operations")
        .description("Key operations by operation, namespace mode and outcome")
        .tag("operation", snake(series.operation().getSimpleName()))
        .tag("mode", series.mode().wireName())
        .tag("outcome", series.outcome() != null ? snake(series.outcome().getSimpleName()) : series.failure())
        .publishPercentileHistogram()
        .register(registry);
  }

  private static String failure(Throwable failure) {
    Throwable cause = Stages.rootCause(failure);
    return cause instanceof TimeoutException ? "timeout" : "error";
  }

  /** {@code PreconditionFailed} as {@code precondition_failed}. */
  private static String snake(String name) {
    return name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
