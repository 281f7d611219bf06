package io.actorkv.audit;

import io.actorkv.strong.ChainHash;
import io.actorkv.strong.KeyEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Verifies every strong key's hash chain as the journal holds it. Rows come
 * key by key, revisions in order; for each key it recomputes each event's
 * link from the link before and the event, and reports every revision
 * where the journal disagrees: a changed event, a missing, inserted or
 * reordered one, an unreadable one. With a checkpoint it also reports keys
 * whose head went back or is gone (truncated, rolled back or removed).
 *
 * <p>Events written before 0.2 carry no link. A key's chain starts at its
 * first event that has one (from the key's genesis); the older events can
 * not be verified, and an event without a link after the chain started is
 * reported.
 *
 * <p>Retention deletes a key's older events and leaves the newest deleted
 * one as a marker. A key whose rows start with that marker has its chain
 * anchored there: the marker's link is taken as given, and every event
 * after it is verified against it.
 */
final class ChainAudit {

  /** Something found wrong, at a key and revision. */
  record Finding(String persistenceId, long revision, String problem) {
    @Override
    public String toString() {
      return persistenceId + " revision " + revision + ": " + problem;
    }
  }

  /** What a verification found, and how much it looked at. */
  record Result(long events, long keys, long unchained, long anchored, List<Finding> findings) {
    boolean intact() {
      return findings.isEmpty();
    }
  }

  private final Map<String, Checkpoint.Head> checkpoint;
  private final Consumer<Finding> report;
  private final List<Finding> findings = new ArrayList<>();
  /** The checkpoint's keys the journal has. */
  private final Set<String> seen = new HashSet<>();
  private long events;
  private long keys;
  private long unchained;
  private long anchored;

  private String key;
  private long expected;
  private ChainHash link;
  private boolean chainStarted;
  private long checkedHead;

  /** @param checkpoint heads a user kept (empty: none); @param report told of each finding as it is found */
  ChainAudit(Map<String, Checkpoint.Head> checkpoint, Consumer<Finding> report) {
    this.checkpoint = checkpoint;
    this.report = report;
  }

  void row(JournalRows.Row row) {
    events++;
    if (!row.persistenceId().equals(key)) {
      endKey();
      key = row.persistenceId();
      keys++;
      if (checkpoint.containsKey(key)) seen.add(key);
      expected = 1;
      link = ChainHash.genesis(key);
      chainStarted = false;
      checkedHead = 0;
    }
    if (row.deleted() && expected == 1 && row.event() != null && row.event().hash() != null) {
      link = row.event().hash();
      chainStarted = true;
      expected = row.revision() + 1;
      anchored++;
      return;
    }
    if (row.revision() != expected) {
      find(row.revision(), row.revision() > expected + 1
          ? "revisions " + expected + " to " + (row.revision() - 1) + " are missing"
          : row.revision() == expected + 1 ? "revision " + expected + " is missing"
          : "out of order: revision " + row.revision() + " after " + (expected - 1));
    }
    expected = row.revision() + 1;
    if (row.event() == null) {
      find(row.revision(), "unreadable: " + row.unreadable());
      return;
    }
    KeyEvent event = row.event();
    if (event.hash() == null) {
      if (chainStarted) find(row.revision(), "has no link of the chain, though revisions before it have");
      unchained++;
    } else {
      ChainHash computed = link.next(row.revision(), event.withHash(null));
      if (!computed.equals(event.hash())) {
        find(row.revision(), "its link does not match the event and the link before it: the event was changed, "
            + "or one before it changed, removed or moved");
      }
      link = event.hash();
      chainStarted = true;
    }
    Checkpoint.Head head = checkpoint.get(key);
    if (head != null && head.revision() == row.revision()) {
      checkedHead = row.revision();
      if (event.hash() == null || !head.hash().equals(event.hash().hex())) {
        find(row.revision(), "differs from the checkpoint's head " + head.hash());
      }
    }
  }

  private void endKey() {
    if (key == null) return;
    Checkpoint.Head head = checkpoint.get(key);
    if (head != null && checkedHead != head.revision()) {
      find(expected - 1, "the checkpoint has revision " + head.revision() + " as head; the journal ends at "
          + (expected - 1) + " (truncated or rolled back)");
    }
  }

  /** After the last row: keys of the checkpoint that the journal no longer has at all. */
  Result finish(Optional<String> namespace) {
    endKey();
    checkpoint.keySet().stream()
        .filter(pid -> namespace.isEmpty() || JournalRows.inNamespace(pid, namespace.get()))
        .filter(pid -> !seen.contains(pid))
        .sorted()
        .forEach(pid -> find(pid, checkpoint.get(pid).revision(), "in the checkpoint, gone from the journal"));
    return new Result(events, keys, unchained, anchored, List.copyOf(findings));
  }

  private void find(long revision, String problem) {
    find(key, revision, problem);
  }

  private void find(String persistenceId, long revision, String problem) {
    Finding f = new Finding(persistenceId, revision, problem);
    findings.add(f);
    report.accept(f);
  }
}
