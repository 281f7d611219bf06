package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.actorkv.base.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A connection's pacing and latency accounting on fake time: in an open loop a late answer makes
 * the following requests late too, and their latency counts from when they were due.
 */
class ConnectionLoopTest {

  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Time that moves only when the loop sleeps or the fake server answers. */
  static final class FakeTicker implements Ticker {
    long now;
    final List<Long> sleptUntil = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepUntil(long deadline) {
      if (deadline > now) {
        sleptUntil.add(deadline);
        now = deadline;
      }
    }
  }

  final FakeTicker ticker = new FakeTicker();
  final Workload put = Workload.of("put", 0, Workload.Distribution.UNIFORM);

  /** A server that takes the given times to answer, then {@code usual} for every later request. */
  TargetClient server(long usual, long... firstServiceTimes) {
    int[] served = {0};
    return (op, key) -> {
      int i = served[0]++;
      ticker.now += i < firstServiceTimes.length ? firstServiceTimes[i] : usual;
      return null;
    };
  }

  ConnectionLoop loop(Pacer pacer, TargetClient client, long measureFrom, long end) {
    SplittableRandom random = new SplittableRandom(1);
    return new ConnectionLoop(ticker, pacer, put, KeyChooser.uniform(10, random), random, client, measureFrom, end);
  }

  @Test
  void openLoopCountsLatencyFromTheDueTimeWhenAnAnswerIsLate() {
    // Due every 10 ms; the first answer takes 35 ms, the rest 1 ms.
    ConnectionLoop loop = loop(Pacer.openLoop(0, 10 * MS), server(1 * MS, 35 * MS), 0, 50 * MS);

    loop.run();

    // Due at 0, 10, 20, 30, 40; sent at 0, 35, 36, 37, 40; answered at 35, 36, 37, 38, 41.
    assertArrayEquals(new long[] {1, 8, 17, 26, 35}, latenciesMs(loop.measured().drainInterval()));
    // Behind schedule it sends at once; it waits only when ahead (at 38 ms for the request due at 40).
    assertEquals(List.of(40 * MS), ticker.sleptUntil);
  }

  /** A stall at the end of an open loop: the requests it kept from being sent count, as errors. */
  @Test
  void openLoopCountsRequestsDueBeforeTheEndThatAStallKeptUnsent() {
    // Due every 10 ms until 50 ms; the first answer takes 100 ms, past the end.
    ConnectionLoop loop = loop(Pacer.openLoop(0, 10 * MS), server(1 * MS, 100 * MS), 0, 50 * MS);

    loop.run();

    assertArrayEquals(new long[] {100}, latenciesMs(loop.measured().drainInterval()));
    assertEquals(Map.of(TargetClient.UNSENT, 4L), loop.measured().errors(), "due at 10, 20, 30 and 40 ms");
  }

  @Test
  void closedLoopMeasuresOnlyServiceTimeSoTheStallShowsOnce() {
    ConnectionLoop loop = loop(Pacer.closedLoop(ticker), server(1 * MS, 35 * MS), 0, 50 * MS);

    loop.run();

    Histogram h = loop.measured().drainInterval();
    assertEquals(1 + 15, h.getTotalCount(), "one 35 ms request, then one per ms until 50 ms");
    assertEquals(15, h.getCountAtValue(1000));
    assertEquals(1, h.getCountAtValue(35_000));
    assertEquals(List.of(), ticker.sleptUntil);
  }

  @Test
  void requestsDueBeforeMeasurementStartsAreWarmUp() {
    ConnectionLoop loop = loop(Pacer.openLoop(0, 10 * MS), server(1 * MS), 20 * MS, 50 * MS);

    loop.run();

    assertEquals(2, loop.warmup().drainInterval().getTotalCount());
    assertEquals(3, loop.measured().drainInterval().getTotalCount());
    assertEquals(41 * MS, loop.lastCompletion());
  }

  @Test
  void noRequestIsSentOnceTheRunHasEndedEvenIfOverdue() {
    // The first answer arrives after the end: the requests due meanwhile are never sent.
    ConnectionLoop loop = loop(Pacer.openLoop(0, 10 * MS), server(1 * MS, 60 * MS), 0, 50 * MS);

    loop.run();

    assertArrayEquals(new long[] {60}, latenciesMs(loop.measured().drainInterval()));
  }

  @Test
  void failuresAreCountedByKindAndNotAsLatencies() {
    String[] answers = {null, "http_503", "timeout", "http_503", null};
    int[] i = {0};
    TargetClient flaky = (op, key) -> {
      ticker.now += MS;
      return answers[i[0]++];
    };
    ConnectionLoop loop = loop(Pacer.openLoop(0, 10 * MS), flaky, 0, 50 * MS);

    loop.run();

    assertEquals(2, loop.measured().drainInterval().getTotalCount());
    assertEquals(Map.of("http_503", 2L, "timeout", 1L), loop.measured().errors());
  }

  @Test
  void openLoopScheduleDoesNotDriftWithFractionalIntervals() {
    Pacer pacer = Pacer.openLoop(100, 2.5);

    long[] due = new long[5];
    for (int i = 0; i < due.length; i++) due[i] = pacer.next();

    assertArrayEquals(new long[] {100, 102, 105, 107, 110}, due);
  }

  @Test
  void closedLoopIsDueNow() {
    ticker.now = 123;
    assertEquals(123, Pacer.closedLoop(ticker).next());
  }

  /** The recorded latencies (microseconds) in whole milliseconds, ascending. */
  static long[] latenciesMs(Histogram h) {
    List<Long> values = new ArrayList<>();
    h.recordedValues().forEach(v -> {
      for (long n = 0; n < v.getCountAtValueIteratedTo(); n++) values.add(Math.round(h.medianEquivalentValue(v.getValueIteratedTo()) / 1000.0));
    });
    return values.stream().mapToLong(Long::longValue).toArray();
  }
}
