package io.actorkv.crypto;

import io.actorkv.journal.JournalDatabase;
import io.actorkv.store.ValueUnreadable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.crypto.SecretKey;

/**
 * The namespaces' data keys: one AES-256 key per stored namespace name,
 * made by the first node that writes there, kept in the journal database
 * wrapped by a master key ({@link MasterKeys}) so every node of the cluster
 * shares it, and cached unwrapped in memory. Shredding blanks the wrapped
 * key (the row stays, so no node can make a new key for the name) and every
 * node drops its copy when it learns of it.
 *
 * <p>Blocking methods read the database: call them off actor threads.
 */
public final class DataKeys {

  /** What sealing adds to a value's length. */
  private static final int OVERHEAD = AesGcm.OVERHEAD;

  /** The length of the plaintext of a value sealed into {@code sealedLength} bytes. */
  public static int plainLength(int sealedLength) {
    return sealedLength - OVERHEAD;
  }

  /** Encryption at rest off: nothing is sealed. */
  public static final DataKeys OFF = new DataKeys(null, null, null);

  /** A cached key; {@code key} null: the name was shredded. */
  private record Cached(SecretKey key) {}

  private static final Cached SHREDDED = new Cached(null);

  private final JournalDatabase db;
  private final MasterKeys master;
  private final Executor blocking;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public DataKeys(JournalDatabase db, MasterKeys master, Executor blocking) {
    this.db = db;
    this.master = master;
    this.blocking = blocking;
  }

  public boolean enabled() {
    return master != null;
  }

  /** Whether this node holds the key to seal {@code storageName}'s values, or knows it shredded. */
  public boolean loaded(String storageName) {
    return !enabled() || cache.containsKey(storageName);
  }

  /** Whether this node knows {@code storageName} shredded. */
  public boolean shredded(String storageName) {
    return cache.get(storageName) == SHREDDED;
  }

  /**
   * Makes the key of {@code storageName} ready for {@link #seal}, made and
   * stored if the name has none yet; completes at once when it is.
   */
  public CompletionStage<Void> loadForWriting(String storageName) {
    if (loaded(storageName)) return CompletableFuture.completedFuture(null);
    return CompletableFuture.runAsync(() -> cache.put(storageName, fetch(storageName, true)), blocking);
  }

  /** Makes the key of {@code storageName} ready for {@link #open}, if it has one; makes none. */
  public CompletionStage<Void> loadForReading(String storageName) {
    if (loaded(storageName)) return CompletableFuture.completedFuture(null);
    return CompletableFuture.runAsync(() -> {
      Cached found = fetch(storageName, false);
      if (found != null) cache.put(storageName, found);
    }, blocking);
  }

  /**
   * {@code plaintext} sealed with the key of {@code storageName}, which
   * {@link #loadForWriting} made ready.
   *
   * @throws ValueUnreadable if the name was shredded
   */
  public byte[] seal(String storageName, byte[] aad, byte[] plaintext) {
    Cached cached = cache.get(storageName);
    if (cached == null) throw new IllegalStateException("the data key of " + storageName + " is not loaded");
    if (cached.key() == null) throw ValueUnreadable.shredded(storageName);
    return AesGcm.seal(cached.key(), aad, plaintext);
  }

  /**
   * The plaintext of a value sealed for {@code storageName} and {@code aad};
   * reads the key from the database (blocking) if this node has not yet.
   *
   * @throws ValueUnreadable if the name was shredded, the bytes do not open there, encryption is off here, or
   *     this node lacks the master key that wraps the name's key
   */
  public byte[] open(String storageName, byte[] aad, byte[] sealed, String where) {
    if (!enabled()) throw ValueUnreadable.withoutKey(where);
    Cached cached = cache.get(storageName);
    if (cached == null) {
      cached = fetch(storageName, false);
      if (cached == null) throw ValueUnreadable.tampered(where);
      cache.put(storageName, cached);
    }
    if (cached.key() == null) throw ValueUnreadable.shredded(storageName);
    byte[] plaintext = AesGcm.open(cached.key(), aad, sealed);
    if (plaintext == null) throw ValueUnreadable.tampered(where);
    return plaintext;
  }

  /** Destroys the data key of {@code storageName} for good (blocking); a name with none gets a blank one. */
  public void shred(String storageName) {
    try (Connection c = db.connect()) {
      insert(c, storageName, null);
      try (PreparedStatement update = c.prepareStatement("UPDATE " + table() + " SET " + col("wrapped") + " = NULL, "
          + col("master_key_id") + " = NULL WHERE " + col("storage_name") + " = ?")) {
        update.setString(1, storageName);
        update.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot shred the data key of " + storageName, e);
    }
    forget(storageName);
  }

  /** Drops this node's copy of the key of a shredded name; it is known shredded from now on. */
  public void forget(String storageName) {
    if (enabled()) cache.put(storageName, SHREDDED);
  }

  /**
   * Wraps again with the current master key every data key an older one
   * wrapped (blocking); the number rewrapped. A key whose master key this
   * node lacks stays as it is, and is counted out.
   */
  public int rewrap() {
    if (!enabled()) return 0;
    int rewrapped = 0;
    try (Connection c = db.connect()) {
      List<String[]> older = new ArrayList<>();
      List<byte[]> wrapped = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT " + col("storage_name") + ", "
          + col("master_key_id") + ", " + col("wrapped") + " FROM " + table() + " WHERE " + col("wrapped")
          + " IS NOT NULL AND " + col("master_key_id") + " <> ?")) {
        select.setString(1, master.currentId());
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            older.add(new String[] {rs.getString(1), rs.getString(2)});
            wrapped.add(rs.getBytes(3));
          }
        }
      }
      for (int i = 0; i < older.size(); i++) {
        String name = older.get(i)[0];
        Optional<byte[]> key = master.unwrap(new MasterKeys.Wrapped(older.get(i)[1], wrapped.get(i)), context(name));
        if (key.isEmpty()) continue;
        MasterKeys.Wrapped again = master.wrap(key.get(), context(name));
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table() + " SET " + col("wrapped") + " = ?, "
            + col("master_key_id") + " = ? WHERE " + col("storage_name") + " = ? AND " + col("master_key_id")
            + " = ?")) {
          update.setBytes(1, again.bytes());
          update.setString(2, again.masterKeyId());
          update.setString(3, name);
          update.setString(4, older.get(i)[1]);
          rewrapped += update.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot rewrap the data keys", e);
    }
    return rewrapped;
  }

  /** The name's key from the database, made first if {@code make} and it has none; null if none and not made. */
  private Cached fetch(String storageName, boolean make) {
    try (Connection c = db.connect()) {
      Cached found = read(c, storageName);
      if (found != null || !make) return found;
      insert(c, storageName, master.wrap(AesGcm.newKey().getEncoded(), context(storageName)));
      found = read(c, storageName);
      if (found == null) throw new IllegalStateException("the data key of " + storageName + " was not stored");
      return found;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the data key of " + storageName, e);
    }
  }

  private Cached read(Connection c, String storageName) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT " + col("master_key_id") + ", " + col("wrapped")
        + " FROM " + table() + " WHERE " + col("storage_name") + " = ?")) {
      select.setString(1, storageName);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return null;
        byte[] wrapped = rs.getBytes(2);
        if (wrapped == null) return SHREDDED;
        String masterKeyId = rs.getString(1);
        byte[] key = master.unwrap(new MasterKeys.Wrapped(masterKeyId, wrapped), context(storageName))
            .orElseThrow(() -> ValueUnreadable.wrappedByAnotherMasterKey(storageName, masterKeyId));
        return new Cached(AesGcm.key(key));
      }
    }
  }

  /** Stores the name's wrapped key (null: blank) unless it has a row: the first node's key wins. */
  private void insert(Connection c, String storageName, MasterKeys.Wrapped wrapped) {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table() + " (" + col("storage_name") + ", "
        + col("master_key_id") + ", " + col("wrapped") + ") VALUES (?, ?, ?)")) {
      insert.setString(1, storageName);
      insert.setString(2, wrapped == null ? null : wrapped.masterKeyId());
      insert.setBytes(3, wrapped == null ? null : wrapped.bytes());
      insert.executeUpdate();
    } catch (SQLException raced) {
      // The name has a row already (the primary key refused ours): that one counts.
    }
  }

  /** A wrapped key opens only as the key of the name it was made for. */
  private static byte[] context(String storageName) {
    return ("actorkv data key\n" + storageName).getBytes(StandardCharsets.UTF_8);
  }

  private String table() {
    return db.name("actorkv_data_key");
  }

  private String col(String name) {
    return db.name(name);
  }
}
