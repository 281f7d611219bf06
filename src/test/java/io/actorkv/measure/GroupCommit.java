package io.actorkv.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group commit in front of a journal, the way pekko-persistence-jdbc's
 * journal batches its writes: appends wait in one queue, one writer thread
 * takes whatever is queued (up to {@code maxBatch} rows) and commits it as
 * one durable batch, then answers every append of that batch. An append
 * returns only after the batch holding its row has committed, and throws if
 * that batch failed.
 */
final class GroupCommit implements AutoCloseable {

  /** One journal row: an event of one persistent entity. */
  record Row(String persistenceId, long sequenceNumber, byte[] payload) {}

  /** A journal's batch write. */
  interface Journal {
    /** Writes {@code rows} as one batch; when it returns, they are as durable as this journal makes them. */
    void appendBatch(List<Row> rows) throws Exception;
  }

  private record Pending(Row row, CompletableFuture<Void> done) {}

  private final Journal journal;
  private final int maxBatch;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private volatile boolean closed;

  GroupCommit(Journal journal, int maxBatch, String name) {
    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
    this.journal = journal;
    this.maxBatch = maxBatch;
    this.writer = new Thread(this::write, name + "-writer");
    writer.start();
  }

  /** Appends {@code row} and waits until the batch holding it has committed. */
  void append(Row row) throws InterruptedException {
    if (closed) throw new IllegalStateException("closed");
    Pending pending = new Pending(row, new CompletableFuture<>());
    queue.add(pending);
    if (closed && queue.remove(pending)) throw new IllegalStateException("closed");
    try {
      pending.done().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the batch of " + row.persistenceId() + " failed", e.getCause());
    }
  }

  /** Batches committed so far: with a durable journal, its syncs. */
  long batches() {
    return batches.get();
  }

  /** Rows committed so far. */
  long rows() {
    return rows.get();
  }

  private void write() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    List<Row> batchRows = new ArrayList<>(maxBatch);
    try {
      while (!closed) {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        for (Pending p : batch) batchRows.add(p.row());
        try {
          journal.appendBatch(batchRows);
          rows.addAndGet(batch.size());
          batches.incrementAndGet();
          for (Pending p : batch) p.done().complete(null);
        } catch (Exception e) {
          for (Pending p : batch) p.done().completeExceptionally(e);
        }
        batch.clear();
        batchRows.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the writer after its current batch; appends still queued fail. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    writer.join();
    IllegalStateException failure = new IllegalStateException("closed before its batch was written");
    for (Pending p; (p = queue.poll()) != null; ) p.done().completeExceptionally(failure);
  }
}
