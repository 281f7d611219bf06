package io.actorkv.eventual;

import com.typesafe.config.Config;
import java.io.File;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.cluster.ddata.DurableStore;
import org.apache.pekko.cluster.ddata.DurableStore.DurableDataEnvelope;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Distributed Data's durable store for eventual namespaces: LMDB in
 * {@code <data-dir>/eventual}, written behind, with the writing on a thread
 * of its own.
 *
 * <p>Pekko's LMDB store answers the replicator's {@code Store} messages on the
 * actor that also serializes and commits each batch, so every local write
 * arriving during a batch waited for all of it: a whole namespace's worth of
 * buckets under uniform writes, every 200 ms. Here the actor only keeps the
 * latest state of each changed bucket and answers at once. Every
 * write-behind interval it hands what changed to the writer thread, which
 * serializes it and commits it in one transaction; buckets that change while
 * a batch is being written go in the next one, handed over at the first
 * interval after that batch is done. What a killed process loses
 * is as before: the writes of the last interval, and of a batch in progress.
 * A batch that fails is logged and kept, to be written with the next (so a
 * bucket that can never be written holds back every later batch; Pekko's
 * store drops the failed batch instead). Until one is written, the store
 * answers every write that waits for it with failure, and
 * {@link EventualDurability} tells the node's client writes so.
 *
 * <p>The file is laid out as Pekko's store lays it out (one LMDB database,
 * {@code ddata}, from key id to the serialized {@code DurableDataEnvelope}),
 * so either store reads the other's files. (Eventual data written before
 * {@link Bucket} held Pekko's {@code ORMap} and is not usable by this
 * version: docs/consistency.md.)
 */
public final class WriteBehindStore extends AbstractActorWithTimers {

  private static final String DATABASE = "ddata";

  private enum Tick { WRITE_BEHIND }

  /** The writer thread has written the batch in flight, or failed to: {@code failed} holds it then. */
  private record Written(Map<String, DurableDataEnvelope> failed) {}

  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
  private final File dir;
  private final long mapSize;
  private final Duration interval;
  private final SerializerWithStringManifest serializer;
  private final String manifest;
  private final ExecutorService writer;
  private final EventualDurability durability;
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> db;
  /** The latest state of each bucket changed since the last batch was handed over. */
  private Map<String, DurableDataEnvelope> pending = new HashMap<>();
  /** The batch the writer thread has, or null. */
  private Map<String, DurableDataEnvelope> inFlight;
  /** Used only by {@link #write}, which never runs on two threads at once. */
  private ByteBuffer keyBuffer;
  private long lastFailureLogged;
  private static final long FAILURE_LOG_EVERY = TimeUnit.MINUTES.toNanos(1);
  private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(256 * 1024);

  public WriteBehindStore(Config config) throws NotSerializableException {
    this.dir = new File(config.getString("lmdb.dir"));
    this.mapSize = config.getBytes("lmdb.map-size");
    this.interval = config.getString("lmdb.write-behind-interval").equalsIgnoreCase("off")
        ? Duration.ZERO : config.getDuration("lmdb.write-behind-interval");
    this.serializer = (SerializerWithStringManifest) SerializationExtension.get(getContext().getSystem())
        .serializerFor(DurableDataEnvelope.class);
    this.manifest = serializer.manifest(new DurableDataEnvelope(Bucket.EMPTY));
    this.durability = EventualDurability.get(getContext().getSystem());
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "actorkv-eventual-writer");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void preStart() {
    try {
      if (!dir.isDirectory() && !dir.mkdirs()) throw new IllegalStateException("cannot create " + dir);
      env = Env.create().setMapSize(mapSize).setMaxDbs(1).open(dir, EnvFlags.MDB_NOLOCK);
      db = env.openDbi(DATABASE, DbiFlags.MDB_CREATE);
    } catch (RuntimeException e) {
      durability.broken("the eventual replicas' file in " + dir + " cannot be opened: " + e.getMessage());
      throw e;
    }
    keyBuffer = ByteBuffer.allocateDirect(env.getMaxKeySize());
    if (!interval.isZero()) getTimers().startTimerWithFixedDelay(Tick.WRITE_BEHIND, Tick.WRITE_BEHIND, interval);
    log.info("Eventual replicas in LMDB at {}", dir.getAbsolutePath());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .matchEquals(DurableStore.LoadAll$.MODULE$, load -> loadAll())
        .match(DurableStore.Store.class, this::store)
        .matchEquals(Tick.WRITE_BEHIND, tick -> handOver())
        .match(Written.class, this::written)
        .build();
  }

  private void loadAll() {
    Map<String, DurableDataEnvelope> loaded = new HashMap<>();
    try (Txn<ByteBuffer> txn = env.txnRead(); var entries = db.iterate(txn)) {
      for (var entry : entries) {
        byte[] value = new byte[entry.val().remaining()];
        entry.val().get(value);
        loaded.put(StandardCharsets.UTF_8.decode(entry.key()).toString(),
            (DurableDataEnvelope) serializer.fromBinary(value, manifest));
      }
    } catch (Exception e) {
      durability.broken("the eventual replicas in " + dir + " cannot be loaded: " + e.getMessage());
      throw new DurableStore.LoadFailed("cannot load the eventual replicas from " + dir, e);
    }
    if (!loaded.isEmpty()) {
      getSender().tell(new DurableStore.LoadData(
          scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(loaded))), getSelf());
    }
    getSender().tell(DurableStore.LoadAllCompleted$.MODULE$, getSelf());
    log.debug("Loaded {} eventual replicas", loaded.size());
  }

  private void store(DurableStore.Store store) {
    if (interval.isZero()) {
      Map<String, DurableDataEnvelope> failed = write(Map.of(store.key(), store.data()));
      if (store.reply().isDefined()) {
        var reply = store.reply().get();
        reply.replyTo().tell(failed.isEmpty() ? reply.successMsg() : reply.failureMsg(), getSelf());
      }
      return;
    }
    pending.put(store.key(), store.data());
    if (store.reply().isDefined()) {
      var reply = store.reply().get();
      reply.replyTo().tell(durability.failure().isEmpty() ? reply.successMsg() : reply.failureMsg(), getSelf());
    }
  }

  /** Every interval: hands what changed to the writer thread, unless it is still writing the last batch. */
  private void handOver() {
    if (inFlight != null || pending.isEmpty()) return;
    Map<String, DurableDataEnvelope> batch = pending;
    pending = new HashMap<>();
    inFlight = batch;
    var self = getSelf();
    writer.execute(() -> {
      Map<String, DurableDataEnvelope> failed = batch;
      try {
        failed = write(batch);
      } finally {
        self.tell(new Written(failed), self);
      }
    });
  }

  private void written(Written written) {
    inFlight = null;
    written.failed().forEach(pending::putIfAbsent);
  }

  /** Writes {@code batch} in one transaction; answers it back if that failed, else an empty map. */
  private Map<String, DurableDataEnvelope> write(Map<String, DurableDataEnvelope> batch) {
    long start = System.nanoTime();
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (var e : batch.entrySet()) {
        byte[] value = serializer.toBinary(e.getValue());
        if (valueBuffer.capacity() < value.length) valueBuffer = ByteBuffer.allocateDirect(value.length * 2);
        db.put(txn, keyBuffer.clear().put(e.getKey().getBytes(StandardCharsets.UTF_8)).flip(),
            valueBuffer.clear().put(value).flip());
      }
      txn.commit();
      durability.writing();
      if (log.isDebugEnabled()) {
        log.debug("Wrote {} eventual replicas in {} ms", batch.size(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      return Map.of();
    } catch (RuntimeException e) {
      // Tried again every interval: logged when it starts, then once a minute while it lasts.
      long now = System.nanoTime();
      if (durability.failure().isEmpty() || now - lastFailureLogged >= FAILURE_LOG_EVERY) {
        lastFailureLogged = now;
        log.error(e, "Could not write {} eventual replicas to {}; they are kept for the next batch, and clients' "
            + "eventual writes are refused until one is written", batch.size(), dir);
      }
      durability.failing("this node cannot write eventual replicas to " + dir + ": " + e.getMessage());
      return batch;
    }
  }

  /**
   * A stopping node writes everything it holds before it closes the file,
   * the batch in flight again too: whether it was written, the answer will
   * not reach a stopped actor. A writer thread that does not finish in a
   * minute leaves the file as it is.
   */
  @Override
  public void postStop() throws InterruptedException {
    writer.shutdown();
    if (!writer.awaitTermination(1, TimeUnit.MINUTES)) {
      // Its transaction may still be open: writing or closing under it could corrupt the file.
      log.error("The eventual writer did not finish in a minute; {} changed buckets not written", pending.size());
      return;
    }
    if (env == null) return;
    Map<String, DurableDataEnvelope> rest = inFlight == null ? new HashMap<>() : new HashMap<>(inFlight);
    rest.putAll(pending);
    if (!rest.isEmpty() && !write(rest).isEmpty()) {
      log.error("Stopping with {} changed eventual replicas not written to {}: this node's copy of their latest "
          + "writes is lost (other nodes' replicas keep what reached them)", rest.size(), dir);
    }
    env.close();
  }
}
