package io.actorkv.measure;

import io.actorkv.config.ActorKvSettings.Journal;
import io.actorkv.journal.JournalDatabase;
import io.actorkv.measure.GroupCommit.Row;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The candidate embedded journals of docs/benchmarks.md ("Choosing the
 * embedded journal"), each appending journal rows (persistence id, sequence
 * number, payload, ordering) in batches, one durable commit per batch where
 * the engine has one. The SQL engines write the project's own
 * {@code event_journal} table; RocksDB and LMDB a journal key
 * (persistence id, sequence number) and an ordering key pointing at it, in
 * the same write.
 */
final class JournalEngines {

  /** The engines' names, in the order they are measured by default. */
  static final List<String> NAMES = List.of("postgresql", "h2", "sqlite", "rocksdb", "lmdb");

  /** An engine open in a directory of its own. */
  interface Engine extends GroupCommit.Journal, AutoCloseable {
    /** What survives once a batch has been written. */
    String durability();
  }

  private JournalEngines() {}

  /** Opens engine {@code name} in the empty directory {@code dir}. */
  static Engine open(String name, Path dir) throws Exception {
    return switch (name) {
      case "postgresql" -> new SqlJournal(JournalDatabase.open("", "", "", dir, Journal.EMBEDDED_POSTGRES),
          "power loss: fsync per commit (the node's embedded server and settings)");
      case "h2" -> new SqlJournal(JournalDatabase.open("", "", "", dir, Journal.H2),
          "power loss: CHECKPOINT SYNC (fsync) per commit (the node's H2 URL and journal)");
      case "sqlite" -> new SqliteJournal(dir.resolve("journal.db"));
      case "rocksdb" -> new RocksJournal(dir);
      case "lmdb" -> new LmdbJournal(dir);
      default -> throw new IllegalArgumentException("no engine " + name + "; engines: " + String.join(",", NAMES));
    };
  }

  /** The inserts and commit of a SQL journal: one transaction per batch, the rows in one batched statement. */
  private static void insert(Connection connection, PreparedStatement insert, List<Row> rows) throws SQLException {
    long now = System.currentTimeMillis();
    for (Row row : rows) {
      insert.setString(1, row.persistenceId());
      insert.setLong(2, row.sequenceNumber());
      insert.setString(3, "measure");
      insert.setLong(4, now);
      insert.setString(5, "");
      insert.setInt(6, 1);
      insert.setString(7, "");
      insert.setBytes(8, row.payload());
      insert.addBatch();
    }
    insert.executeBatch();
    connection.commit();
  }

  private static final String COLUMNS = "persistence_id,sequence_number,writer,write_timestamp,adapter_manifest,"
      + "event_ser_id,event_ser_manifest,event_payload";

  /** The node's own journal database (embedded PostgreSQL or H2) with its Flyway schema. */
  private static final class SqlJournal implements Engine {
    private final JournalDatabase database;
    private final String durability;
    private final Connection connection;
    private final PreparedStatement insert;

    SqlJournal(JournalDatabase database, String durability) throws SQLException {
      this.database = database;
      this.durability = durability;
      database.migrate();
      connection = database.connect();
      connection.setAutoCommit(false);
      StringBuilder columns = new StringBuilder();
      for (String column : COLUMNS.split(",")) {
        columns.append(columns.length() == 0 ? "" : ",").append(database.name(column));
      }
      insert = connection.prepareStatement("INSERT INTO " + database.name("event_journal") + " (" + columns
          + ") VALUES (?,?,?,?,?,?,?,?)");
    }

    @Override
    public void appendBatch(List<Row> rows) throws SQLException {
      insert(connection, insert, rows);
      database.sync(connection);
    }

    @Override
    public String durability() {
      return durability;
    }

    @Override
    public void close() throws SQLException {
      connection.close();
      database.close();
    }
  }

  /** SQLite in WAL mode with synchronous=FULL: each commit syncs the WAL. */
  private static final class SqliteJournal implements Engine {
    private final Connection connection;
    private final PreparedStatement insert;

    SqliteJournal(Path file) throws SQLException {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        require(s, "PRAGMA journal_mode", "wal");
        require(s, "PRAGMA synchronous", "2");
        s.execute("CREATE TABLE event_journal (ordering INTEGER PRIMARY KEY, persistence_id TEXT NOT NULL, "
            + "sequence_number INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, writer TEXT NOT NULL, "
            + "write_timestamp INTEGER NOT NULL, adapter_manifest TEXT NOT NULL, event_ser_id INTEGER NOT NULL, "
            + "event_ser_manifest TEXT NOT NULL, event_payload BLOB NOT NULL, "
            + "UNIQUE (persistence_id, sequence_number))");
      }
      connection.setAutoCommit(false);
      insert = connection.prepareStatement("INSERT INTO event_journal (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)");
    }

    private static void require(Statement s, String pragma, String expected) throws SQLException {
      try (ResultSet r = s.executeQuery(pragma)) {
        String actual = r.next() ? r.getString(1) : null;
        if (!expected.equalsIgnoreCase(actual)) {
          throw new IllegalStateException(pragma + " is " + actual + ", not " + expected);
        }
      }
    }

    @Override
    public void appendBatch(List<Row> rows) throws SQLException {
      insert(connection, insert, rows);
    }

    @Override
    public String durability() {
      return "power loss: WAL synced per commit (journal_mode=WAL, synchronous=FULL)";
    }

    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  /** The journal key of a row: persistence id, a zero byte, the sequence number big-endian. */
  private static byte[] journalKey(Row row) {
    byte[] id = row.persistenceId().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(id.length + 9).put(id).put((byte) 0).putLong(row.sequenceNumber()).array();
  }

  /** RocksDB, one WriteBatch per batch written with sync: the batch's WAL record is synced before it returns. */
  private static final class RocksJournal implements Engine {
    private final Options options;
    private final RocksDB db;
    private final WriteOptions sync;
    private long ordering;

    RocksJournal(Path dir) throws RocksDBException {
      RocksDB.loadLibrary();
      sync = new WriteOptions().setSync(true);
      options = new Options().setCreateIfMissing(true);
      db = RocksDB.open(options, dir.toString());
    }

    @Override
    public void appendBatch(List<Row> rows) throws RocksDBException {
      try (WriteBatch batch = new WriteBatch()) {
        for (Row row : rows) {
          byte[] key = journalKey(row);
          batch.put(ByteBuffer.allocate(key.length + 1).put((byte) 'j').put(key).array(), row.payload());
          batch.put(ByteBuffer.allocate(9).put((byte) 'o').putLong(++ordering).array(), key);
        }
        db.write(sync, batch);
      }
    }

    @Override
    public String durability() {
      return "power loss: WAL synced per batch (WriteOptions.setSync(true))";
    }

    @Override
    public void close() {
      db.close();
      sync.close();
      options.close();
    }
  }

  /** LMDB with its default flags: a write transaction's commit syncs the data file. */
  private static final class LmdbJournal implements Engine {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> journal;
    private final Dbi<ByteBuffer> byOrdering;
    private final ByteBuffer key;
    private final ByteBuffer value = ByteBuffer.allocateDirect(64 * 1024);
    private long ordering;

    LmdbJournal(Path dir) throws java.io.IOException {
      Files.createDirectories(dir);
      env = Env.create().setMapSize(8L << 30).setMaxDbs(2).open(dir.toFile());
      journal = env.openDbi("journal", DbiFlags.MDB_CREATE);
      byOrdering = env.openDbi("ordering", DbiFlags.MDB_CREATE);
      key = ByteBuffer.allocateDirect(env.getMaxKeySize());
    }

    @Override
    public void appendBatch(List<Row> rows) {
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        for (Row row : rows) {
          byte[] journalKey = journalKey(row);
          journal.put(txn, key.clear().put(journalKey).flip(), value.clear().put(row.payload()).flip());
          byOrdering.put(txn, key.clear().putLong(++ordering).flip(), value.clear().put(journalKey).flip());
        }
        txn.commit();
      }
    }

    @Override
    public String durability() {
      return "power loss: data file synced per commit (default environment flags)";
    }

    @Override
    public void close() {
      env.close();
    }
  }
}
