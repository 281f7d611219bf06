package io.actorkv.base;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Where a stage from Pekko's Java API enters our code. Those stages are Scala
 * futures underneath (scala.jdk's {@code CF}), and every non-async
 * continuation on them ({@code thenApply}, {@code thenCompose},
 * {@code whenComplete}, ...) is silently run on CompletableFuture's default
 * async executor: the common ForkJoin pool, or, where that pool has fewer
 * than two threads (machines with fewer than three cores, like our 2-core
 * benchmark machine), a new thread for every continuation. Measured on the
 * GET path, that halved single-connection throughput and cut it by four at
 * 32 connections. {@link #direct} hands the result on from the thread that
 * completed it instead, so our continuations run where the answer arrived.
 */
public final class Stages {

  private static final Executor COMPLETING_THREAD = Runnable::run;

  private Stages() {}

  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, COMPLETING_THREAD);
    return out;
  }

  /**
   * {@code stage}'s outcome, or a {@link java.util.concurrent.TimeoutException}
   * once {@code limit} has passed without one; {@code stage} itself is left
   * to finish.
   */
  public static <T> CompletableFuture<T> within(CompletionStage<T> stage, Duration limit) {
    return stage.toCompletableFuture().copy().orTimeout(limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The failure inside the CompletionException wrappers that futures add. */
  public static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
