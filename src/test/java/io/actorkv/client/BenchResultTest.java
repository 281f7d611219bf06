package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Percentiles, throughput and errors from known latencies recorded on several connections. */
class BenchResultTest {

  /** 1 ms to 1000 ms, one of each, in microseconds: odd milliseconds on one connection, even on another. */
  static BenchResult oneToThousandMs(double elapsedSeconds, List<Map<String, Long>> errors) {
    Histogram odd = new Histogram(Tally.SIGNIFICANT_DIGITS);
    Histogram even = new Histogram(Tally.SIGNIFICANT_DIGITS);
    for (int ms = 1; ms <= 1000; ms++) (ms % 2 == 1 ? odd : even).recordValue(ms * 1000L);
    return BenchResult.of(List.of(odd, even), errors, elapsedSeconds);
  }

  @Test
  void percentilesOfMergedConnectionsAreThoseOfAllValues() {
    BenchResult result = oneToThousandMs(2.0, List.of());

    assertEquals(1000, result.count());
    assertEquals(500, result.percentileMs(50), 0.5);
    assertEquals(900, result.percentileMs(90), 0.9);
    assertEquals(990, result.percentileMs(99), 1.0);
    assertEquals(999, result.percentileMs(99.9), 1.0);
    assertEquals(1000, result.maxMs(), 1.0);
    assertEquals(500.5, result.meanMs(), 0.5);
  }

  @Test
  void opsPerSecondIsSuccessfulOperationsOverElapsedTime() {
    BenchResult result = oneToThousandMs(2.0, List.of(Map.of("http_503", 7L)));

    assertEquals(500.0, result.opsPerSecond(), 1e-9);
  }

  @Test
  void errorsOfAllConnectionsAreAddedUpByKind() {
    BenchResult result = oneToThousandMs(1.0,
        List.of(Map.of("http_503", 2L, "timeout", 1L), Map.of("http_503", 3L), Map.of()));

    assertEquals(Map.of("http_503", 5L, "timeout", 1L), result.errors());
    assertEquals(6, result.errorCount());
    assertEquals("http_503 5, timeout 1", BenchResult.errorSummary(result.errors()));
  }

  @Test
  void aConnectionThatRecordedNothingChangesNothing() {
    Histogram one = new Histogram(Tally.SIGNIFICANT_DIGITS);
    one.recordValue(2_500);
    BenchResult result = BenchResult.of(List.of(one, new Histogram(Tally.SIGNIFICANT_DIGITS)), List.of(), 1.0);

    assertEquals(1, result.count());
    assertEquals(2.5, result.percentileMs(50), 0.01);
    assertEquals(2.5, result.maxMs(), 0.01);
  }

  @Test
  void tallyRecordsNanosecondsAsMicroseconds() {
    Tally tally = new Tally();
    tally.success(1_234_567);
    tally.success(999);

    Histogram h = tally.drainInterval();
    assertEquals(2, h.getTotalCount());
    assertEquals(1, h.getCountAtValue(1235));
    assertEquals(1, h.getCountAtValue(1));
    assertEquals(0, tally.drainInterval().getTotalCount(), "an interval holds only what came after the last one");
  }

  @Test
  void printsEveryFigureInMillisecondsWithThreeDecimals() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    oneToThousandMs(2.0, List.of(Map.of("timeout", 1L))).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(printed.contains("ops/s          500.0"), printed);
    assertTrue(printed.matches("(?s).*p50 +50\\d\\.\\d{3} ms.*"), printed);
    assertTrue(printed.matches("(?s).*p99\\.9 +99\\d\\.\\d{3} ms.*"), printed);
    assertTrue(printed.matches("(?s).*max +100\\d\\.\\d{3} ms.*"), printed);
    assertTrue(printed.contains("count           1000"), printed);
    assertTrue(printed.contains("errors     timeout 1"), printed);
  }

  @Test
  void jsonHoldsTheSettingsAndTheFigures() {
    BenchSettings settings = new BenchSettings(URI.create("http://127.0.0.1:2379"), TargetProtocol.Kind.ETCD, "default",
        Workload.of("ycsb-b", 0.5, Workload.Distribution.UNIFORM), 100, 256, 4, Duration.ofSeconds(2),
        Duration.ZERO, 1000, true, 1, Duration.ofSeconds(1), Optional.empty(), Optional.empty());

    Map<String, Object> json = oneToThousandMs(2.0, List.of()).toJson(settings);

    assertEquals("etcd", json.get("kind"));
    assertEquals("ycsb-b", json.get("workload"));
    assertEquals(0.95, json.get("readFraction"));
    assertEquals("zipfian", json.get("distribution"));
    assertEquals("open", json.get("loop"));
    assertEquals(1000.0, json.get("rate"));
    assertEquals(1000L, json.get("count"));
    assertEquals(500.0, (double) json.get("opsPerSecond"), 1e-9);
    @SuppressWarnings("unchecked")
    Map<String, Object> latency = (Map<String, Object>) json.get("latencyMs");
    assertEquals(List.of("p50", "p90", "p99", "p99.9", "max", "mean"), List.copyOf(latency.keySet()));
  }
}
