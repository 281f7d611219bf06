package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorkv.testing.Await;
import io.actorkv.testing.FreePorts;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server as users run it: {@code java -jar target/actorkv.jar},
 * on free loopback ports and a temporary data directory.
 */
class ServerJarIT {

  static final Path JAR = Path.of(System.getProperty("actorkv.jar", "target/actorkv.jar"));

  /** One server process; its stdout and stderr go to files beside its data for post-mortems. */
  static final class Server {
    final Process process;
    final int httpPort;
    final int remotePort;
    final Path log;
    final Path errors;

    /** Returns once management's {@code /ready} answers 200, as a load balancer would route to it. */
    Server(Path dataDir, String... extra) {
      httpPort = FreePorts.next();
      remotePort = FreePorts.next();
      int managementPort = FreePorts.next();
      log = dataDir.resolveSibling(dataDir.getFileName() + "-" + httpPort + ".log");
      errors = dataDir.resolveSibling(dataDir.getFileName() + "-" + httpPort + ".err");
      List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "serve",
          "--data-dir", dataDir.toString(),
          "--http-port", Integer.toString(httpPort),
          "--remote-port", Integer.toString(remotePort),
          "--management-port", Integer.toString(managementPort)));
      command.addAll(List.of(extra));
      try {
        process = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectError(errors.toFile()).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready")).build();
      // A node once answered ready about 0.4 s before its API listened; this polls every 50 ms.
      Await.until(Duration.ofSeconds(90), () -> {
        assertTrue(process.isAlive(), () -> "server exited early:\n" + output());
        try {
          return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYetListening) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
    }

    KvClient client() {
      return new KvClient(httpPort);
    }

    /** Stdout, then stderr. */
    String output() {
      return stdout() + read(errors);
    }

    String stdout() {
      return read(log);
    }

    private static String read(Path file) {
      try {
        return Files.readString(file);
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  static int run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    lastOutput = out;
    return p.exitValue();
  }

  static String lastOutput = "";

  /** Standard output alone, with standard error thrown away. */
  static String stdoutOf(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    return out;
  }

  @Test
  void theJarServesAPutAndAGetAndLeavesGracefullyOnSigterm(@TempDir Path tmp) throws Exception {
    Server server = new Server(tmp.resolve("data"));
    KvClient kv = server.client();
    assertEquals(201, kv.put("default", "hello", "world").statusCode());
    assertEquals("world", kv.get("default", "hello").body());

    server.process.destroy(); // SIGTERM
    assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM:\n" + server.output());
    // 143 = 128 + SIGTERM: the JVM's status after a signal, once its shutdown hooks have run.
    assertTrue(List.of(0, 143).contains(server.process.exitValue()), server.output());
    String out = server.output();
    assertTrue(out.contains("as [Leaving]") && out.contains("Exiting completed"), "did not leave gracefully:\n" + out);
  }

  /** The embedded PostgreSQL outlives the killed node; the restarted node stops it and starts its own. */
  /**
   * Stopped while it starts (Ctrl-C in the quick start's first seconds),
   * {@code serve} stops the PostgreSQL it has started: its shutdown hook
   * came only with the actor system, and until then the server outlived
   * the node, running until the next start found it.
   */
  @Test
  void aServeStoppedWhileItStartsStopsItsPostgreSQL(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path said = tmp.resolve("starting.log");
    Process starting = new ProcessBuilder("java", "-jar", JAR.toString(), "serve", "--data-dir", data.toString(),
        "--http-port", Integer.toString(FreePorts.next()), "--remote-port", Integer.toString(FreePorts.next()),
        "--management-port", Integer.toString(FreePorts.next())).redirectErrorStream(true)
        .redirectOutput(said.toFile()).start();
    Path pidFile = data.resolve("postgres/data/postmaster.pid");
    long[] postmaster = new long[1];
    Await.until(Duration.ofSeconds(90), () -> {
      assertTrue(starting.isAlive(), () -> "serve exited early:\n" + Server.read(said));
      try {
        // Negative while initdb runs PostgreSQL on its own; the server's once pg_ctl has started it.
        postmaster[0] = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        return postmaster[0] > 0;
      } catch (IOException | RuntimeException notYet) {
        return false;
      }
    });
    starting.destroy(); // SIGTERM
    assertTrue(starting.waitFor(60, TimeUnit.SECONDS));
    Optional<ProcessHandle> postgres = ProcessHandle.of(postmaster[0]);
    assertTrue(postgres.isPresent() || !Files.exists(pidFile), "postmaster.pid names no process");
    if (postgres.isPresent()) {
      try {
        postgres.get().onExit().get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        postgres.get().destroy();
        throw new AssertionError("serve's PostgreSQL outlived it; serve said:\n" + Server.read(said), e);
      }
    }
  }

  @Test
  void acknowledgedWritesSurviveSigkillOnTheEmbeddedDefault(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeKillRestartAndReadBack(() -> new Server(data));
  }

  @Test
  void acknowledgedWritesSurviveSigkillOnH2(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeKillRestartAndReadBack(() -> new Server(data, "--journal", "h2"));
  }

  @Test
  void acknowledgedWritesSurviveSigkillOnPostgreSQL(@TempDir Path tmp) throws Exception {
    String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
    Path data = tmp.resolve("data");
    writeKillRestartAndReadBack(() -> new Server(data, "--db-url", url, "--db-user", "postgres",
        "--db-password", "postgres"));
  }

  private static void writeKillRestartAndReadBack(java.util.function.Supplier<Server> start) throws Exception {
    Server server = start.get();
    KvClient kv = server.client();
    Map<String, String> acknowledged = new LinkedHashMap<>();
    Map<String, Long> revisions = new LinkedHashMap<>();
    for (int i = 0; i < 300; i++) {
      String key = "k" + (i % 120);
      String value = "v" + i;
      var put = kv.put("default", key, value);
      assertTrue(put.statusCode() == 201 || put.statusCode() == 200, put.body());
      acknowledged.put(key, value);
      revisions.put(key, KvClient.revision(put));
    }
    server.kill(); // right after the last acknowledged PUT

    Server restarted = start.get();
    try {
      KvClient again = restarted.client();
      for (var e : acknowledged.entrySet()) {
        var read = again.get("default", e.getKey());
        assertEquals(200, read.statusCode(), e.getKey() + " lost: " + read.body());
        assertEquals(e.getValue(), read.body());
        assertEquals(revisions.get(e.getKey()), KvClient.revision(read));
      }
    } finally {
      restarted.process.destroy(); // SIGTERM, so that an embedded journal's server stops with it
      assertTrue(restarted.process.waitFor(60, TimeUnit.SECONDS), restarted.output());
    }
  }

  @Test
  void theAuditCommandsReadTheEmbeddedJournalOfAStoppedNode(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Server server = new Server(data);
    KvClient kv = server.client();
    for (int i = 0; i < 5; i++) kv.put("default", "audited", "v" + i);
    server.process.destroy();
    assertTrue(server.process.waitFor(60, TimeUnit.SECONDS));

    assertEquals(0, run("audit", "verify", "--data-dir", data.toString()));
    assertTrue(lastOutput.contains("INTACT") && lastOutput.contains("5 events of 1 keys"), lastOutput);
    Path heads = tmp.resolve("heads.txt");
    assertEquals(0, run("audit", "checkpoint", "--data-dir", data.toString(), "--out", heads.toString()));
    assertEquals(0, run("audit", "verify", "--data-dir", data.toString(), "--against", heads.toString()));
    assertEquals(0, run("audit", "report", "--data-dir", data.toString(), "--format", "csv"));
    assertEquals(6, lastOutput.lines().filter(l -> l.contains(",default,,audited,") || l.startsWith("offset,")).count(),
        lastOutput);
    // The report alone on stdout, as `audit report > file` keeps it: log lines and progress go to stderr.
    String report = stdoutOf("audit", "report", "--data-dir", data.toString(), "--format", "csv");
    assertEquals(6, report.lines().count(), report);

    assertEquals(2, run("audit", "verify", "--data-dir", tmp.resolve("nothing-here").toString()));
    assertEquals(2, run("audit", "verify", "--data-dir", data.toString(), "--namespace", "Not A Name"));
    assertEquals(2, run("audit", "report", "--data-dir", data.toString(), "--since", "yesterday"));
    assertEquals(2, run("audit", "verify", "--data-dir", data.toString(), "--against", data.toString()));

    // Stopped by SIGTERM while it runs, a command stops the server it started: it used to outlive the command.
    Path fifo = tmp.resolve("checkpoint.fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Process stuck = new ProcessBuilder("java", "-jar", JAR.toString(), "audit", "verify", "--data-dir",
        data.toString(), "--against", fifo.toString()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("stuck.log").toFile()).start();
    // Opening the pipe to write returns once the command opens it to read: after its journal is open.
    // The command then waits for a checkpoint that never comes.
    CompletableFuture<OutputStream> reading = CompletableFuture.supplyAsync(() -> {
      try {
        return Files.newOutputStream(fifo);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    long postmaster;
    try (OutputStream neverWritten = reading.get(90, TimeUnit.SECONDS)) {
      postmaster = Long.parseLong(Files.readAllLines(data.resolve("postgres/data/postmaster.pid")).get(0).strip());
      stuck.destroy(); // SIGTERM
      assertTrue(stuck.waitFor(60, TimeUnit.SECONDS));
    }
    String said = Files.readString(tmp.resolve("stuck.log"));
    assertEquals(143, stuck.exitValue(), said);
    Optional<ProcessHandle> postgres = ProcessHandle.of(postmaster);
    if (postgres.isPresent()) {
      try {
        postgres.get().onExit().get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        postgres.get().destroy();
        throw new AssertionError("the command's PostgreSQL outlived it; the command said:\n" + said, e);
      }
    }
    assertFalse(Files.exists(data.resolve("postgres/data/postmaster.pid")), said);
  }

  @Test
  void givenLogFormatJson_thenEveryStdoutLineIsAJsonObjectWithTimeLevelLoggerMessageMdcAndNode(@TempDir Path tmp)
      throws Exception {
    Server server = new Server(tmp.resolve("data"), "--log-format", "json");
    assertEquals(201, server.client().put("default", "logged", "v").statusCode());
    server.process.destroy(); // SIGTERM: the leaving is logged too
    assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), server.output());

    List<String> lines = server.stdout().lines().toList();
    assertTrue(lines.size() > 10, "expected a node's start and stop on stdout:\n" + server.output());
    ObjectMapper json = new ObjectMapper();
    boolean pekkoAddressSeen = false;
    for (String line : lines) {
      JsonNode entry = readJson(json, line);
      assertTrue(entry.isObject(), line);
      assertTrue(entry.path("timestamp").isIntegralNumber(), line);
      assertTrue(List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(entry.path("level").asText()), line);
      assertTrue(entry.path("loggerName").isTextual(), line);
      assertTrue(entry.path("formattedMessage").isTextual(), line);
      assertTrue(entry.path("mdc").isObject(), line);
      assertEquals("127.0.0.1:" + server.remotePort, entry.path("context").path("properties").path("node").asText(),
          line);
      pekkoAddressSeen |= entry.path("mdc").path("pekkoAddress").asText()
          .equals("pekko://actorkv@127.0.0.1:" + server.remotePort);
    }
    assertTrue(pekkoAddressSeen, "no line carries Pekko's address in its MDC:\n" + server.stdout());
    assertTrue(lines.stream().map(l -> readJson(json, l).path("formattedMessage").asText())
        .anyMatch(m -> m.startsWith("ActorKV HTTP API on http://127.0.0.1:" + server.httpPort)), server.stdout());
  }

  private static JsonNode readJson(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  @Test
  void givenSettingsThatCannotRunANode_thenServeExits2SayingWhy() throws Exception {
    assertEquals(2, run("serve", "--log-format", "xml"));
    assertTrue(lastOutput.contains("actorkv.log-format (--log-format, ACTORKV_LOG_FORMAT) must be one of "
        + "[text, json], not 'xml'"), lastOutput);
    assertEquals(2, run("serve", "--discovery", "dns"));
    assertTrue(lastOutput.contains("must be one of [seeds, kubernetes], not 'dns'"), lastOutput);
    assertEquals(2, run("serve", "--discovery", "kubernetes", "--seed", "127.0.0.1:25520",
        "--db-url", "jdbc:postgresql://127.0.0.1/none"));
    assertTrue(lastOutput.contains("takes no seeds"), lastOutput);
    assertEquals(2, run("serve", "--discovery", "kubernetes"));
    assertTrue(lastOutput.contains("give --db-url"), lastOutput);
  }

  /** A port that another process holds is one line and exit 2, not a stack trace and exit 1. */
  @Test
  void givenAPortInUse_thenServeExits2SayingSo(@TempDir Path tmp) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(2, run("serve", "--journal", "h2", "--data-dir", tmp.resolve("data").toString(),
          "--http-port", Integer.toString(taken.getLocalPort()), "--remote-port", Integer.toString(FreePorts.next()),
          "--management-port", Integer.toString(FreePorts.next())));
      assertTrue(lastOutput.contains("actorkv serve: a port of this node (--http-port, --management-port, "
          + "--remote-port) cannot be listened on: ") && lastOutput.contains("Address already in use"), lastOutput);
      assertFalse(lastOutput.contains("\tat "), "no stack trace:\n" + lastOutput);
    }
  }

  @Test
  void helpDocumentsEveryServeOption() throws Exception {
    assertEquals(0, run("serve", "--help"));
    for (String option : List.of("--data-dir", "--http-host", "--http-port", "--remote-port",
        "--management-port", "--seed", "--db-url", "--db-user", "--db-password", "--config",
        "--discovery", "--log-format", "--journal", "ACTORKV_DATA_DIR", "ACTORKV_DB_URL", "ACTORKV_DISCOVERY")) {
      assertTrue(lastOutput.contains(option), option + " missing from:\n" + lastOutput);
    }
    assertEquals(0, run("--help"));
    assertTrue(lastOutput.contains("serve") && lastOutput.contains("verify-history"), lastOutput);
  }

  @Test
  void verifyHistoryExitCodesFollowTheVerdicts() throws Exception {
    Path kv = Path.of(System.getProperty("user.dir")).resolve("../shared/histories/kv").normalize();
    assertEquals(0, run("verify-history", "--format", "porcupine-kv", kv.resolve("c01-ok.txt").toString()));
    assertTrue(lastOutput.contains("c01-ok.txt linearizable"), lastOutput);
    assertEquals(1, run("verify-history", "--format", "porcupine-kv", kv.resolve("c01-ok.txt").toString(),
        kv.resolve("c01-bad.txt").toString()));
    assertTrue(lastOutput.contains("c01-bad.txt not-linearizable"), lastOutput);
  }

}
