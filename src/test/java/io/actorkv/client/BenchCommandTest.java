package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line of {@code actorkv bench}, turned into settings. */
class BenchCommandTest {

  static BenchSettings parse(String... args) {
    BenchCommand command = new BenchCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  @Test
  void defaultsAreAClosedLoopPutRunOnTheLocalNode() {
    BenchSettings s = parse();

    assertEquals("127.0.0.1", s.host());
    assertEquals(8080, s.port());
    assertEquals(TargetProtocol.Kind.ACTORKV, s.kind());
    assertEquals("default", s.namespace());
    assertEquals(Workload.of("put", 0, Workload.Distribution.UNIFORM), s.workload());
    assertEquals(10_000, s.keys());
    assertEquals(256, s.valueSize());
    assertEquals(32, s.connections());
    assertEquals(Duration.ofSeconds(30), s.duration());
    assertEquals(Duration.ofSeconds(10), s.warmup());
    assertFalse(s.openLoop());
    assertFalse(s.loadsFirst(), "a put run loads nothing");
  }

  @Test
  void anHttpsTargetDefaultsToPort443AndACaFileNeedsHttps() {
    assertEquals(443, parse("--target", "https://kv.example").port());
    assertEquals(8443, parse("--target", "https://kv.example:8443", "--ca-file", "ca.crt").port());
    assertThrows(CommandLine.ParameterException.class,
        () -> parse("--target", "http://kv.example", "--ca-file", "ca.crt"));
  }

  @Test
  void everyOptionReachesTheSettings() {
    BenchSettings s = parse("--target", "http://localhost:2379", "--kind", "etcd", "--workload", "mixed",
        "--read-fraction", "0.8", "--distribution", "zipfian", "--keys", "500", "--value-size", "1024",
        "--connections", "8", "--duration", "2m", "--warmup", "500ms", "--rate", "4000", "--no-load");

    assertEquals("localhost", s.host());
    assertEquals(2379, s.port());
    assertEquals(TargetProtocol.Kind.ETCD, s.kind());
    assertEquals(new Workload("mixed", 0.8, Workload.Distribution.ZIPFIAN), s.workload());
    assertEquals(500, s.keys());
    assertEquals(1024, s.valueSize());
    assertEquals(8, s.connections());
    assertEquals(Duration.ofMinutes(2), s.duration());
    assertEquals(Duration.ofMillis(500), s.warmup());
    assertTrue(s.openLoop());
    assertEquals(4000, s.rate());
    assertFalse(s.loadsFirst());
  }

  @Test
  void ycsbWorkloadsFixTheirMixAndZipfianKeys() {
    assertEquals(new Workload("ycsb-a", 0.5, Workload.Distribution.ZIPFIAN), parse("--workload", "ycsb-a").workload());
    assertEquals(new Workload("ycsb-b", 0.95, Workload.Distribution.ZIPFIAN), parse("--workload", "ycsb-b").workload());
    assertEquals(new Workload("ycsb-c", 1, Workload.Distribution.ZIPFIAN),
        parse("--workload", "ycsb-c", "--distribution", "uniform").workload());
    assertTrue(parse("--workload", "ycsb-c").loadsFirst());
  }

  @Test
  void durationsTakeMillisecondsSecondsMinutesAndHours() {
    assertEquals(Duration.ofMillis(250), BenchCommand.parseDuration("250ms"));
    assertEquals(Duration.ofSeconds(30), BenchCommand.parseDuration("30s"));
    assertEquals(Duration.ofSeconds(30), BenchCommand.parseDuration("30"));
    assertEquals(Duration.ofMillis(1500), BenchCommand.parseDuration("1.5s"));
    assertEquals(Duration.ofMinutes(2), BenchCommand.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), BenchCommand.parseDuration("1h"));
    assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseDuration("soon"));
  }

  static String[] concat(String[] a, String... b) {
    String[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void badOptionsAreUsageErrors() {
    for (String[] args : new String[][] {
        {"--workload", "scan"}, {"--kind", "redis"}, {"--distribution", "normal"}, {"--keys", "0"},
        {"--target", "ftp://127.0.0.1:8080"}, {"--ca-file", "ca.crt"}, {"--namespace", "Bad!"}, {"--duration", "0s"},
        {"--read-fraction", "1.5"}, {"--rate", "-1"}, {"--duration", "soon"}, {"--rate", "0"},
        {"--json", "no/such/dir/results.json"}}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err));
      // Were an option wrongly accepted, the run would find nothing listening on the discard port.
      String[] withTarget = args[0].equals("--target") ? args : concat(args, "--target", "http://127.0.0.1:9");

      assertEquals(2, cli.execute(withTarget), String.join(" ", args) + ": " + err);
      assertFalse(err.toString().isBlank());
    }
  }
}
