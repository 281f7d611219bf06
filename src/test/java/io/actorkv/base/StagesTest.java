package io.actorkv.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * Regression: continuations on stages from Pekko's Java API ran on the
 * default async executor, a new thread per step on a 2-core machine, which
 * cut GET throughput by four once an eventual branch moved a thenApply onto
 * an ask's stage.
 */
class StagesTest {

  @Test
  void aStageFromAScalaFutureRunsPlainContinuationsOnTheCommonPoolButDirectOnesWhereItCompleted() throws Exception {
    Promise<String> promise = Promise.apply();
    CompletionStage<String> fromPekko = FutureConverters.asJava(promise.future());
    CompletionStage<String> plain = fromPekko.thenApply(v -> Thread.currentThread().getName());
    CompletionStage<String> direct = Stages.direct(fromPekko).thenApply(v -> Thread.currentThread().getName());

    Thread completer = new Thread(() -> promise.success("answer"), "completer");
    completer.start();
    completer.join();

    String plainThread = plain.toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertNotEquals("completer", plainThread, "the trap Stages.direct exists for: ran on " + plainThread);
    assertEquals("completer", direct.toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void failuresPassThrough() {
    Promise<String> promise = Promise.apply();
    var direct = Stages.direct(FutureConverters.asJava(promise.future()));
    promise.failure(new IllegalStateException("boom"));
    assertTrue(direct.isCompletedExceptionally());
  }
}
