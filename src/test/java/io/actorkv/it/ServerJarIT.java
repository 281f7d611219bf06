package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.testing.Await;
import io.actorkv.testing.FreePorts;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server as users run it: {@code java -jar target/actorkv.jar},
 * on free loopback ports and a temporary data directory.
 */
class ServerJarIT {

  static final Path JAR = Path.of(System.getProperty("actorkv.jar", "target/actorkv.jar"));

  /** One server process; its output goes to a file beside its data for post-mortems. */
  static final class Server {
    final Process process;
    final int httpPort;
    final Path log;

    /** Returns once management's {@code /ready} answers 200, as a load balancer would route to it. */
    Server(Path dataDir, String... extra) {
      httpPort = FreePorts.next();
      int managementPort = FreePorts.next();
      log = dataDir.resolveSibling(dataDir.getFileName() + "-" + httpPort + ".log");
      List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "serve",
          "--data-dir", dataDir.toString(),
          "--http-port", Integer.toString(httpPort),
          "--remote-port", Integer.toString(FreePorts.next()),
          "--management-port", Integer.toString(managementPort)));
      command.addAll(List.of(extra));
      try {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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

    String output() {
      try {
        return Files.readString(log);
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

  @Test
  void acknowledgedWritesSurviveSigkillOnTheEmbeddedDefault(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeKillRestartAndReadBack(() -> new Server(data));
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
      restarted.kill();
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
    assertEquals(6, lastOutput.lines().filter(l -> l.contains(",default,audited,") || l.startsWith("offset,")).count(),
        lastOutput);

    assertEquals(2, run("audit", "verify", "--data-dir", tmp.resolve("nothing-here").toString()));
    assertEquals(2, run("audit", "verify", "--data-dir", data.toString(), "--namespace", "Not A Name"));
    assertEquals(2, run("audit", "report", "--data-dir", data.toString(), "--since", "yesterday"));
    assertEquals(2, run("audit", "verify", "--data-dir", data.toString(), "--against", data.toString()));
  }

  @Test
  void helpDocumentsEveryServeOption() throws Exception {
    assertEquals(0, run("serve", "--help"));
    for (String option : List.of("--data-dir", "--http-host", "--http-port", "--remote-port",
        "--management-port", "--seed", "--db-url", "--db-user", "--db-password", "--config",
        "ACTORKV_DATA_DIR", "ACTORKV_DB_URL")) {
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
