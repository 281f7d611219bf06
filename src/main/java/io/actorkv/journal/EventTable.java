package io.actorkv.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code event_journal} table as pekko-persistence-jdbc 1.1 defined it:
 * its statements, in this database's spelling, and its rows to and from
 * Pekko Persistence's events. An event is stored as its serializer's id, its
 * manifest and its bytes, as that journal stored it.
 */
final class EventTable {

  /** An event or its metadata as stored: serializer id, serializer manifest, bytes. */
  record Serialized(int serializerId, String manifest, byte[] bytes) {}

  /** One row to insert. */
  record Row(PersistentRepr event, Serialized payload, Serialized metadata) {}

  private final Serialization serialization;
  private final String insert;
  private final String highest;
  private final String replay;
  private final int highestColumn;
  private final String deleteBelow;
  private final String markDeleted;
  private final JournalDatabase database;

  EventTable(JournalDatabase database, Serialization serialization) {
    this.serialization = serialization;
    String table = database.name("event_journal");
    String pid = database.name("persistence_id");
    String seq = database.name("sequence_number");
    String deleted = database.name("deleted");
    List<String> storedColumns = List.of(database.name("writer"), database.name("write_timestamp"),
        database.name("adapter_manifest"), database.name("event_ser_id"), database.name("event_ser_manifest"),
        database.name("event_payload"), database.name("meta_ser_id"), database.name("meta_ser_manifest"),
        database.name("meta_payload"));
    String stored = String.join(", ", storedColumns);
    this.insert = "INSERT INTO " + table + " (" + pid + ", " + seq + ", " + deleted + ", " + stored
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.highest = "SELECT MAX(" + seq + ") FROM " + table + " WHERE " + pid + " = ? AND " + seq + " <= ?";
    // One round trip: the highest number (deleted rows count) beside every row, and a row of NULLs
    // beside it when no event is to be replayed (a new key: the highest is then NULL too).
    this.replay = "SELECT e." + seq + ", e." + String.join(", e.", storedColumns) + ", h.highest FROM (SELECT MAX("
        + seq + ") AS highest FROM " + table + " WHERE " + pid + " = ?) h LEFT JOIN " + table + " e ON e." + pid
        + " = ? AND e." + deleted + " = FALSE AND e." + seq + " >= ? AND e." + seq + " <= LEAST(?, h.highest)"
        + " ORDER BY e." + seq + " LIMIT ?";
    this.highestColumn = storedColumns.size() + 2;
    this.deleteBelow = "DELETE FROM " + table + " WHERE " + pid + " = ? AND " + seq + " <= ?";
    this.markDeleted = "UPDATE " + table + " SET " + deleted + " = TRUE WHERE " + pid + " = ? AND " + seq
        + " = ? AND " + deleted + " = FALSE";
    this.database = database;
  }

  /** Makes what {@code c} committed durable ({@link JournalDatabase#sync}). */
  void sync(Connection c) throws SQLException {
    database.sync(c);
  }

  String insert() {
    return insert;
  }

  /** Parameters: persistence id, at most this sequence number. One row, NULL when there is none. */
  String highest() {
    return highest;
  }

  /**
   * Parameters: persistence id, persistence id, from, to (both inclusive),
   * at most this many rows (at least 1). Rows in order, each an event to
   * {@link #read} (or all NULL but {@link #highest(ResultSet)} when there
   * is none), each with the highest sequence number of the persistence id,
   * deleted events included.
   */
  String replay() {
    return replay;
  }

  /** The highest sequence number on a {@link #replay()} row, 0 when the persistence id has no events. */
  long highest(ResultSet rs) throws SQLException {
    return rs.getLong(highestColumn);
  }

  /** Parameters: persistence id, up to this sequence number (inclusive). */
  String deleteBelow() {
    return deleteBelow;
  }

  /** Parameters: persistence id, the sequence number to mark deleted. */
  String markDeleted() {
    return markDeleted;
  }

  /**
   * The rows of one atomic write, stamped {@code now} (epoch ms: the change
   * feed settles a gap by the write times of the rows after it), or why it
   * is rejected (an event that cannot be serialized, or tagged: tags are not
   * kept). A rejected write stores nothing, and the actor goes on.
   */
  JournalWriters.Entry serialize(AtomicWrite write, long now) {
    List<PersistentRepr> events = CollectionConverters.asJava(write.payload());
    try {
      List<Row> rows = new ArrayList<>(events.size());
      for (PersistentRepr event : events) {
        if (event.payload() instanceof Tagged) {
          throw new IllegalArgumentException("actorkv-journal keeps no tags; an event of "
              + event.persistenceId() + " is tagged");
        }
        Serialized metadata = event.metadata().isDefined() ? serialized(event.metadata().get()) : null;
        rows.add(new Row(event.withTimestamp(now), serialized(event.payload()), metadata));
      }
      return new JournalWriters.Events(events, rows);
    } catch (Exception e) { // Pekko's serialization throws NotSerializableException, though Java cannot see it

      return new JournalWriters.Rejected(events, e);
    }
  }

  private Serialized serialized(Object value) {
    Serializer serializer = serialization.findSerializerFor(value);
    return new Serialized(serializer.identifier(), Serializers.manifestFor(serializer, value),
        serialization.serialize(value).get());
  }

  /** Sets {@link #insert()}'s parameters to {@code row}. */
  void bind(PreparedStatement insert, Row row) throws SQLException {
    PersistentRepr event = row.event();
    insert.setString(1, event.persistenceId());
    insert.setLong(2, event.sequenceNr());
    insert.setBoolean(3, event.deleted());
    insert.setString(4, event.writerUuid());
    insert.setLong(5, event.timestamp());
    insert.setString(6, event.manifest());
    insert.setInt(7, row.payload().serializerId());
    insert.setString(8, row.payload().manifest());
    insert.setBytes(9, row.payload().bytes());
    Serialized metadata = row.metadata();
    if (metadata == null) {
      insert.setNull(10, java.sql.Types.INTEGER);
      insert.setNull(11, java.sql.Types.VARCHAR);
      insert.setBytes(12, null);
    } else {
      insert.setInt(10, metadata.serializerId());
      insert.setString(11, metadata.manifest());
      insert.setBytes(12, metadata.bytes());
    }
  }

  /** The event of a {@link #replay()} row. */
  PersistentRepr read(ResultSet rs, String persistenceId) throws SQLException {
    String manifest = rs.getString(4);
    Object payload = serialization.deserialize(rs.getBytes(7), rs.getInt(5), rs.getString(6)).get();
    PersistentRepr event = PersistentRepr$.MODULE$.apply(payload, rs.getLong(1), persistenceId,
        manifest == null ? PersistentRepr$.MODULE$.Undefined() : manifest, false, ActorRef.noSender(),
        rs.getString(2)).withTimestamp(rs.getLong(3));
    byte[] metadata = rs.getBytes(10);
    if (metadata != null) {
      String metadataManifest = rs.getString(9);
      event = event.withMetadata(serialization.deserialize(metadata, rs.getInt(8),
          metadataManifest == null ? "" : metadataManifest).get());
    }
    return event;
  }
}
