package io.actorkv.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reliability/run.sh --runs N --minutes M [--clients C] [--keys K] [--retrying-clients R]
 * [--bank-clients B] [--settle S]}:
 * N independent runs, each repeating the fault cycle for at least M minutes
 * (one cycle at least), with S seconds of measured traffic before and after
 * each fault (default 10); prints each run's faults and summary, and a
 * campaign total. A run that cannot finish (a node that does not recover in
 * time) counts as failed, with its reason, and the campaign goes on. Exit
 * code 0 only if every run passed.
 */
public final class ReliabilityCampaign {

  public static void main(String[] args) throws Exception {
    int runs = 1;
    double minutes = 2;
    int clients = 6;
    int keys = 4;
    int retrying = 4;
    int bank = 3;
    int settle = 10;
    Path jar = Path.of("target/actorkv.jar");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--minutes" -> minutes = Double.parseDouble(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--retrying-clients" -> retrying = Integer.parseInt(args[++i]);
        case "--bank-clients" -> bank = Integer.parseInt(args[++i]);
        case "--settle" -> settle = Integer.parseInt(args[++i]);
        case "--jar" -> jar = Path.of(args[++i]);
        default -> {
          System.err.println("usage: --runs N --minutes M [--clients C] [--keys K] [--retrying-clients R] "
              + "[--bank-clients B] [--settle S] [--jar FILE]");
          System.exit(2);
        }
      }
    }
    List<ReliabilityRun.Report> reports = new ArrayList<>();
    List<String> aborted = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      System.out.printf("== run %d of %d%n", r, runs);
      var options = new ReliabilityRun.Options(jar, ReliabilityRun.workDir("reliability-run-" + r),
          Duration.ofMillis((long) (minutes * 60_000)), clients, keys, retrying, bank, r - 1, Duration.ofSeconds(settle),
          System.out);
      try {
        var report = new ReliabilityRun(options).run();
        System.out.println((report.passed() ? "PASSED " : "FAILED ") + report.summary());
        reports.add(report);
      } catch (RuntimeException e) {
        System.out.println("ABORTED run " + r + ": " + e.getMessage());
        aborted.add("run " + r);
      }
    }
    long passed = reports.stream().filter(ReliabilityRun.Report::passed).count();
    System.out.printf("== campaign: %d runs, %d passed, %d aborted %s; operations %d, unknown %d, faults %d, "
            + "violations %d, lost writes %d; idempotent writes %d, retried %d, applied twice or lost %d; "
            + "bank transfers %d (applied %d), reads %d, unknown %d, problems %d%n",
        runs, passed, aborted.size(), aborted,
        reports.stream().mapToLong(ReliabilityRun.Report::operations).sum(),
        reports.stream().mapToLong(ReliabilityRun.Report::unknown).sum(),
        reports.stream().mapToLong(r -> r.faults().size()).sum(),
        reports.stream().mapToLong(r -> r.violations().size()).sum(),
        reports.stream().mapToLong(ReliabilityRun.Report::lostWrites).sum(),
        reports.stream().mapToLong(ReliabilityRun.Report::retryingWrites).sum(),
        reports.stream().mapToLong(ReliabilityRun.Report::retriedWrites).sum(),
        reports.stream().mapToLong(r -> r.retryProblems().size()).sum(),
        reports.stream().mapToLong(r -> r.bank().transfers()).sum(),
        reports.stream().mapToLong(r -> r.bank().applied()).sum(),
        reports.stream().mapToLong(r -> r.bank().reads()).sum(),
        reports.stream().mapToLong(r -> r.bank().unknown()).sum(),
        reports.stream().mapToLong(r -> r.bank().problems().size()).sum());
    System.exit(passed == runs ? 0 : 1);
  }
}
