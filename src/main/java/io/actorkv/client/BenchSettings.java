package io.actorkv.client;

import static java.util.Objects.requireNonNull;

import io.actorkv.client.TargetProtocol.Kind;
import io.actorkv.tls.PemFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Everything one benchmark run is told, checked once: a value here is always usable.
 *
 * @param rate total operations per second over all connections for an open-loop run; 0 for a
 *     closed loop
 * @param load whether to write every key once before a workload that reads
 * @param seed seeds every connection's choice of operations and keys, and the value bytes
 * @param timeout how long to wait for a connection or an answer before counting a {@code timeout}
 * @param caFile for an https target: the PEM CA certificates its certificate must come from; empty: the
 *     JVM's trust store
 * @param token ActorKV: a bearer token every request carries
 */
record BenchSettings(URI target, Kind kind, String namespace, Workload workload, int keys, int valueSize,
    int connections, Duration duration, Duration warmup, double rate, boolean load, long seed, Duration timeout,
    Optional<Path> caFile, Optional<String> token) {

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  BenchSettings {
    requireNonNull(target, "target");
    requireNonNull(kind, "kind");
    requireNonNull(namespace, "namespace");
    requireNonNull(workload, "workload");
    requireNonNull(duration, "duration");
    requireNonNull(warmup, "warmup");
    requireNonNull(timeout, "timeout");
    requireNonNull(caFile, "caFile");
    requireNonNull(token, "token");
    if (token.isPresent() && kind != Kind.ACTORKV) {
      throw new IllegalArgumentException("--token is for ActorKV targets; etcd's gateway takes no bearer token here");
    }
    if (!("http".equals(target.getScheme()) || https(target)) || target.getHost() == null) {
      throw new IllegalArgumentException("target must be an http://host[:port] or https://host[:port] URL, not "
          + target);
    }
    if (caFile.isPresent() && !https(target)) {
      throw new IllegalArgumentException("a CA file is for an https:// target, not " + target);
    }
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace must match " + NAMESPACE + ", not '" + namespace + "'");
    }
    positive("keys", keys);
    positive("connections", connections);
    if (valueSize < 0) throw new IllegalArgumentException("value size must not be negative, not " + valueSize);
    if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("duration must be positive");
    if (warmup.isNegative()) throw new IllegalArgumentException("warm-up must not be negative");
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
    if (!(rate >= 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("rate must be positive, not " + rate);
  }

  String host() {
    return target.getHost();
  }

  int port() {
    if (target.getPort() != -1) return target.getPort();
    return https(target) ? 443 : 80;
  }

  /** Plain sockets for http; for https, TLS sockets that trust the CA file (or the JVM's trust store). */
  SocketFactory sockets() {
    if (!https(target)) return SocketFactory.getDefault();
    return caFile.map(PemFiles::clientContext).map(SSLContext::getSocketFactory)
        .orElseGet(() -> (SSLSocketFactory) SSLSocketFactory.getDefault());
  }

  private static boolean https(URI target) {
    return "https".equals(target.getScheme());
  }

  boolean openLoop() {
    return rate > 0;
  }

  /** Whether the keyspace is written before the measured run. */
  boolean loadsFirst() {
    return load && workload.reads();
  }

  /** One line saying what is about to run. */
  String describe() {
    String loop = openLoop() ? String.format(Locale.ROOT, "open loop at %.0f ops/s", rate) : "closed loop";
    String reads = workload.name().equals("mixed")
        ? String.format(Locale.ROOT, " (%.0f%% reads)", workload.readFraction() * 100) : "";
    return String.format(Locale.ROOT,
        "bench %s%s against %s %s:%d%s: %d connections, %s, %d keys (%s), %d-byte values, warm-up %s, duration %s",
        workload.name(), reads, kind.label(), host(), port(),
        kind == Kind.ACTORKV ? " namespace " + namespace : "", connections, loop, keys,
        workload.distribution().label(), valueSize, seconds(warmup), seconds(duration));
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static void positive(String what, int value) {
    if (value < 1) throw new IllegalArgumentException(what + " must be at least 1, not " + value);
  }
}
