package io.actorkv.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short fault-injection run of {@code mvn -B verify}: one of each fault
 * against three server processes, then the checker, the journal audit, and
 * the retrying clients' counters and values (each write applied once), and
 * the bank's transactions (strictly serializable, the total kept, no key
 * left locked, the journal adding up).
 * Longer campaigns: {@code reliability/run.sh --runs N --minutes M}.
 */
class ReliabilityIT {

  @Test
  void strongModeStaysLinearizableLosesNoWriteAppliesRetriesOnceAndSerializesTransactionsUnderFaults()
      throws Exception {
    Path jar = Path.of(System.getProperty("actorkv.jar", "target/actorkv.jar"));
    var run = new ReliabilityRun(new ReliabilityRun.Options(jar, ReliabilityRun.workDir("reliability-it"),
        Duration.ZERO, 6, 4, 4, 3, 0, Duration.ofSeconds(10), System.out));
    var report = run.run();
    System.out.println(report.summary());
    assertEquals(4, report.faults().size(), "one cycle: kill, pause, partition, database stall");
    assertTrue(report.succeeded() > 100, "the clients made progress: " + report.summary());
    assertTrue(report.violations().isEmpty(), String.join("\n", report.violations()));
    assertTrue(report.undecided().isEmpty(), "checker undecided for " + report.undecided());
    assertEquals(0, report.lostWrites(), "acknowledged writes missing from the journal");
    assertEquals(0, report.journalProblems(), "sequence gaps, repeats or phantom reads in the journal");
    assertTrue(report.retriedWrites() > 0, "some idempotent writes had to be retried: " + report.summary());
    assertTrue(report.retryProblems().isEmpty(), "retried writes applied twice or lost: " + report.retryProblems());
    assertTrue(report.bank().applied() > 0 && report.bank().reads() > 0, "the bank made progress: " + report.summary());
    assertTrue(report.bank().problems().isEmpty(), String.join("\n", report.bank().problems()));
  }
}
