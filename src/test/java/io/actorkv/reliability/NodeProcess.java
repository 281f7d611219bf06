package io.actorkv.reliability;

import io.actorkv.testing.FreePorts;
import io.actorkv.testing.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One ActorKV server process of the harness ({@code java -jar actorkv.jar
 * serve --test-mode}), with its own freezable proxy in front of PostgreSQL.
 * It keeps its ports across restarts, so it rejoins as a new incarnation of
 * the same address.
 */
final class NodeProcess {

  final int index;
  final int httpPort = FreePorts.next();
  final int remotePort = FreePorts.next();
  final int managementPort = FreePorts.next();
  final TcpProxy database;
  private final Path jar;
  private final Path dataDir;
  private final Path config;
  private final String dbUrlTemplate;
  private List<String> seeds = List.of();
  private volatile Process process;
  private int incarnation;

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** {@code dbUrlTemplate} has {@code %d} where the database port goes. */
  NodeProcess(int index, Path jar, Path dataDir, Path config, int databasePort, String dbUrlTemplate) {
    this.index = index;
    this.jar = jar;
    this.dataDir = dataDir;
    this.config = config;
    this.database = new TcpProxy(databasePort);
    this.dbUrlTemplate = dbUrlTemplate;
    // An interrupted harness must not leave servers running behind it.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Process p = process;
      if (p != null) p.destroyForcibly();
    }));
  }

  String remoteAddress() {
    return "127.0.0.1:" + remotePort;
  }

  void seeds(List<String> seeds) {
    this.seeds = List.copyOf(seeds);
  }

  synchronized void start() {
    incarnation++;
    List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-jar", jar.toString(), "serve",
        "--test-mode", "--config", config.toString(),
        "--data-dir", dataDir.toString(),
        "--http-port", Integer.toString(httpPort),
        "--remote-port", Integer.toString(remotePort),
        "--management-port", Integer.toString(managementPort),
        "--db-url", String.format(dbUrlTemplate, database.port()),
        "--db-user", "postgres", "--db-password", "postgres"));
    for (String seed : seeds) command.addAll(List.of("--seed", seed));
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling("node-" + index + ".log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, and wait for the process to be gone. */
  synchronized void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, as Kubernetes stops a pod: the node drains, hands off and leaves; waits for it to exit. */
  synchronized void stop() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("node " + index + " did not stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void pause() {
    signal("STOP");
  }

  void resume() {
    signal("CONT");
  }

  private synchronized void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ready: Pekko Management says the node is an Up member. */
  boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Cuts (or heals) this node's Artery traffic with a peer, through the test-mode admin endpoint. */
  boolean blackhole(NodeProcess peer, boolean on) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + httpPort + "/test/v1/blackhole?peer=" + peer.remoteAddress()))
        .timeout(Duration.ofSeconds(5));
    b = on ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.DELETE();
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last lines of this node's log, for a failure report. */
  String logTail(int lines) {
    try {
      List<String> all = java.nio.file.Files.readAllLines(dataDir.resolveSibling("node-" + index + ".log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  int incarnation() {
    return incarnation;
  }

  void close() {
    if (alive()) {
      resume();
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    database.close();
  }
}
