package io.actorkv.client;

import io.actorkv.client.TargetProtocol.Kind;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code actorkv bench}: drives an ActorKV node or an etcd member over HTTP and reports
 * throughput, latency percentiles and errors. Exit code 0 when any operation succeeded, 1 when
 * none did or the target could not be reached, 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Benchmark a key-value store (ActorKV or etcd) over HTTP.",
    description = {
        "Benchmark a key-value store over HTTP with a fixed number of keep-alive connections.",
        "Closed loop by default: each connection sends its next request when the previous answer arrives. "
            + "With --rate, open loop: requests are due on a schedule and latency counts from when each was due, "
            + "so a stall is not hidden (coordinated omission corrected).",
        "Reports ops/s (successful operations), p50, p90, p99, p99.9 and max latency, and errors by kind."})
public final class BenchCommand implements Callable<Integer> {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  @Spec
  CommandSpec spec;

  @Option(names = "--target", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
      description = "Base URL of the store, http:// or https:// (default ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--ca-file", paramLabel = "FILE",
      description = "PEM CA certificates an https target's certificate must come from (default: the JVM's trust store).")
  Path caFile;

  @Option(names = "--kind", paramLabel = "KIND", defaultValue = "actorkv",
      description = "actorkv (/v1/kv) or etcd (v3 JSON gateway: /v3/kv/put, /v3/kv/range) (default ${DEFAULT-VALUE}).")
  String kind;

  @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default",
      description = "ActorKV namespace, created if missing (default ${DEFAULT-VALUE}); etcd has none.")
  String namespace;

  @Option(names = "--workload", paramLabel = "NAME", defaultValue = "put",
      description = "put, get, mixed (see --read-fraction), ycsb-a (50%% reads, 50%% updates), ycsb-b (95/5) "
          + "or ycsb-c (reads only); the ycsb ones are zipfian (default ${DEFAULT-VALUE}).")
  String workload;

  @Option(names = "--read-fraction", paramLabel = "F", defaultValue = "0.5",
      description = "Share of reads in the mixed workload (default ${DEFAULT-VALUE}).")
  double readFraction;

  @Option(names = "--distribution", paramLabel = "D", defaultValue = "uniform",
      description = "Key choice for put, get and mixed: uniform or zipfian (YCSB's scrambled, theta 0.99) "
          + "(default ${DEFAULT-VALUE}).")
  String distribution;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
      description = "Keys key-0 to key-<N-1> (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "256",
      description = "Bytes per value written (default ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "32",
      description = "Connections, one thread each (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30s", converter = DurationConverter.class,
      description = "Measured time, e.g. 30s, 2m, 500ms (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
      description = "Load before measuring, not recorded (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--rate", paramLabel = "OPS",
      description = "Open loop: this many operations per second in total, spread over the connections.")
  Double rate;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the settings and results to FILE as JSON.")
  Path json;

  @Option(names = "--no-load", description = "Do not write every key before a workload that reads.")
  boolean noLoad;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of the operation and key choices (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
      description = "Connect and answer timeout; a request past it counts as error 'timeout' (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--token", paramLabel = "JWT",
      description = "ActorKV with authentication: send Authorization: Bearer JWT with every request "
          + "(mint one with 'actorkv token').")
  String token;

  @Override
  public Integer call() {
    BenchSettings settings = settings();
    PrintStream out = System.out;
    BenchResult result;
    try {
      result = new LoadRunner(settings, out, System.console() != null).run();
    } catch (IOException e) {
      System.err.println("bench: " + e.getMessage());
      return 1;
    }
    result.print(out);
    if (json != null) {
      try {
        result.writeJson(json, settings);
      } catch (IOException e) {
        System.err.println("bench: cannot write " + json + ": " + e.getMessage());
        return 1;
      }
    }
    return result.count() > 0 ? 0 : 1;
  }

  BenchSettings settings() {
    if (rate != null && !(rate > 0)) {
      throw new ParameterException(spec.commandLine(), "--rate must be positive, not " + rate
          + " (leave it out for a closed loop)");
    }
    Path jsonDir = json == null ? null : json.toAbsolutePath().getParent();
    if (jsonDir != null && !(Files.isDirectory(jsonDir) && Files.isWritable(jsonDir))) {
      // Found now rather than after the whole run.
      throw new ParameterException(spec.commandLine(), "--json " + json + ": " + jsonDir
          + " is not a directory this process can write in");
    }
    try {
      Workload chosen = Workload.of(workload, readFraction, Workload.Distribution.of(distribution));
      return new BenchSettings(URI.create(target), Kind.of(kind), namespace, chosen, keys, valueSize, connections,
          duration, warmup, rate == null ? 0 : rate, !noLoad, seed, timeout,
          Optional.ofNullable(caFile), Optional.ofNullable(token));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}; a bare number is seconds. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 30s, 500ms, 2m)");
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis = switch (unit) {
      case "ms" -> amount;
      case "s" -> amount * 1_000;
      case "m" -> amount * 60_000;
      default -> amount * 3_600_000;
    };
    return Duration.ofMillis(Math.round(millis));
  }

  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
