package io.actorkv.client;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one connection saw in one phase: latencies of successful requests in microseconds, and
 * failed requests counted by kind. The connection's thread writes; one reader thread takes the
 * latencies an interval at a time (HdrHistogram's recorder swaps histograms without locking the
 * writer out).
 */
final class Tally {

  /** Three significant digits: a latency is known to 0.1%, ample for ms with three decimals. */
  static final int SIGNIFICANT_DIGITS = 3;

  private final SingleWriterRecorder latencies = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private Histogram interval;

  void success(long latencyNanos) {
    latencies.recordValue(Math.max(0, (latencyNanos + 500) / 1000));
  }

  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /**
   * The latencies recorded since the previous call. The histogram is reused by the next call, so
   * use it before then; only one thread may call this.
   */
  Histogram drainInterval() {
    interval = latencies.getIntervalHistogram(interval);
    return interval;
  }

  /** Errors so far, by kind, in name order. */
  Map<String, Long> errors() {
    Map<String, Long> snapshot = new TreeMap<>();
    errors.forEach((kind, count) -> snapshot.put(kind, count.sum()));
    return snapshot;
  }

  long errorCount() {
    long total = 0;
    for (LongAdder count : errors.values()) total += count.sum();
    return total;
  }
}
