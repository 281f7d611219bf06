package io.actorkv.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.measure.GroupCommit.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  private static final byte[] PAYLOAD = {1, 2, 3};

  /** Rows are equal by persistence id and sequence number: they share one payload array. */
  private static Row row(int writer, int n) {
    return new Row("kv|load|k-" + writer, n, PAYLOAD);
  }

  /** A journal that keeps what it committed and how large each batch was. */
  private static final class RecordingJournal implements GroupCommit.Journal {
    final ConcurrentLinkedQueue<Row> committed = new ConcurrentLinkedQueue<>();
    final Set<Row> committedSet = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();

    @Override
    public void appendBatch(List<Row> rows) {
      sizes.add(rows.size());
      committed.addAll(rows);
      committedSet.addAll(rows);
    }
  }

  @Test
  void everyAppendIsCommittedOnceInBatchesOfAtMostTheLimitBeforeItReturns() throws Exception {
    RecordingJournal journal = new RecordingJournal();
    int writers = 16;
    int each = 300;
    Set<Row> notYetCommittedAtReturn = ConcurrentHashMap.newKeySet();
    try (GroupCommit group = new GroupCommit(journal, 8, "test")) {
      ClosedLoop.run(writers, Duration.ofMinutes(1), "writer", (writer, n) -> {
        if (n == each) return false;
        Row row = row(writer, (int) n);
        group.append(row);
        if (!journal.committedSet.contains(row)) notYetCommittedAtReturn.add(row);
        return true;
      });
      assertEquals(writers * each, group.rows());
      assertEquals(journal.sizes.size(), group.batches());
    }
    Set<Row> expected = new HashSet<>();
    for (int w = 0; w < writers; w++) for (int n = 0; n < each; n++) expected.add(row(w, n));
    List<Row> committed = new ArrayList<>(journal.committed);
    assertEquals(writers * each, committed.size(), "each row once");
    assertEquals(expected, new HashSet<>(committed));
    assertEquals(Set.of(), notYetCommittedAtReturn);
    assertTrue(journal.sizes.stream().allMatch(size -> size >= 1 && size <= 8), "batch sizes " + journal.sizes);
  }

  @Test
  void anAppendWhoseBatchFailsThrowsAndOthersStillCommit() throws Exception {
    Row bad = row(0, 13);
    CountDownLatch failed = new CountDownLatch(1);
    RecordingJournal recording = new RecordingJournal();
    GroupCommit.Journal journal = rows -> {
      if (rows.contains(bad)) {
        failed.countDown();
        throw new IllegalStateException("disk full");
      }
      recording.appendBatch(rows);
    };
    try (GroupCommit group = new GroupCommit(journal, 400, "test")) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> group.append(bad));
      assertEquals("disk full", e.getCause().getMessage());
      assertEquals(0, failed.getCount());
      group.append(row(0, 14));
      assertEquals(List.of(row(0, 14)), new ArrayList<>(recording.committed));
      assertEquals(1, group.batches());
    }
  }

  @Test
  void anAppendAfterCloseThrowsAndNothingIsWritten() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    GroupCommit group = new GroupCommit(rows -> batches.incrementAndGet(), 400, "test");
    group.close();
    assertThrows(IllegalStateException.class, () -> group.append(row(0, 1)));
    assertEquals(0, batches.get());
  }
}
