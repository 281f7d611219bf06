package io.actorkv.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The measured part of a run: the latencies of its successful operations (each connection's
 * histogram, merged), its errors by kind, and how long it took. Latencies are held in
 * microseconds and reported in milliseconds; throughput counts successful operations only.
 */
final class BenchResult {

  /** The percentiles reported, with their labels. */
  static final Map<String, Double> PERCENTILES = percentiles();

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Histogram latencies;
  private final Map<String, Long> errors;
  private final double elapsedSeconds;

  private BenchResult(Histogram latencies, Map<String, Long> errors, double elapsedSeconds) {
    this.latencies = latencies;
    this.errors = errors;
    this.elapsedSeconds = elapsedSeconds;
  }

  /** Merges the connections' histograms (microseconds) and errors into one result. */
  static BenchResult of(List<Histogram> perConnection, List<Map<String, Long>> errorsPerConnection,
      double elapsedSeconds) {
    if (!(elapsedSeconds > 0)) throw new IllegalArgumentException("elapsed time must be positive, not " + elapsedSeconds);
    Histogram merged = new Histogram(Tally.SIGNIFICANT_DIGITS);
    perConnection.forEach(merged::add);
    return new BenchResult(merged, mergeErrors(errorsPerConnection), elapsedSeconds);
  }

  /** The connections' error counts added up by kind, in name order. */
  static Map<String, Long> mergeErrors(List<Map<String, Long>> errorsPerConnection) {
    Map<String, Long> errors = new TreeMap<>();
    errorsPerConnection.forEach(e -> e.forEach((kind, count) -> errors.merge(kind, count, Long::sum)));
    return errors;
  }

  long count() {
    return latencies.getTotalCount();
  }

  double elapsedSeconds() {
    return elapsedSeconds;
  }

  double opsPerSecond() {
    return count() / elapsedSeconds;
  }

  /** The latency at {@code percentile} (0 to 100) in milliseconds; 0 if nothing succeeded. */
  double percentileMs(double percentile) {
    return latencies.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs() {
    return latencies.getMaxValue() / 1000.0;
  }

  double meanMs() {
    return latencies.getMean() / 1000.0;
  }

  Map<String, Long> errors() {
    return errors;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  void print(PrintStream out) {
    out.printf(Locale.ROOT, "%-7s %12.1f%n", "ops/s", opsPerSecond());
    PERCENTILES.forEach((label, p) -> out.printf(Locale.ROOT, "%-7s %12.3f ms%n", label, percentileMs(p)));
    out.printf(Locale.ROOT, "%-7s %12.3f ms%n", "max", maxMs());
    out.printf(Locale.ROOT, "%-7s %12d%n", "count", count());
    out.printf(Locale.ROOT, "%-7s %12s%n", "errors", errorSummary(errors));
  }

  /** {@code none}, or {@code kind count} pairs such as {@code http_503 12, timeout 1}. */
  static String errorSummary(Map<String, Long> errors) {
    if (errors.isEmpty()) return "none";
    return errors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  /** The settings and the measurements, as written by {@code --json}. */
  Map<String, Object> toJson(BenchSettings settings) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("target", settings.target().toString());
    json.put("kind", settings.kind().label());
    json.put("namespace", settings.namespace());
    json.put("workload", settings.workload().name());
    json.put("readFraction", settings.workload().readFraction());
    json.put("distribution", settings.workload().distribution().label());
    json.put("keys", settings.keys());
    json.put("valueSize", settings.valueSize());
    json.put("connections", settings.connections());
    json.put("loop", settings.openLoop() ? "open" : "closed");
    json.put("rate", settings.openLoop() ? settings.rate() : null);
    json.put("warmupSeconds", settings.warmup().toMillis() / 1000.0);
    json.put("durationSeconds", settings.duration().toMillis() / 1000.0);
    json.put("elapsedSeconds", elapsedSeconds);
    json.put("count", count());
    json.put("opsPerSecond", opsPerSecond());
    Map<String, Object> latency = new LinkedHashMap<>();
    PERCENTILES.forEach((label, p) -> latency.put(label, percentileMs(p)));
    latency.put("max", maxMs());
    latency.put("mean", meanMs());
    json.put("latencyMs", latency);
    json.put("errors", errors);
    return json;
  }

  void writeJson(Path file, BenchSettings settings) throws IOException {
    JSON.writeValue(file.toFile(), toJson(settings));
  }

  private static Map<String, Double> percentiles() {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("p50", 50.0);
    p.put("p90", 90.0);
    p.put("p99", 99.0);
    p.put("p99.9", 99.9);
    return Collections.unmodifiableMap(p);
  }
}
