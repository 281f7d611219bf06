package io.actorkv.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a key's events straight from the PostgreSQL journal: its sequence
 * numbers must run 1, 2, 3... with no gap or repeat, and every acknowledged
 * write must be among its values.
 */
final class JournalAudit {

  record KeyAudit(String key, long events, List<String> sequenceProblems, Set<String> lostWrites,
                  Set<String> phantomReads) {
    boolean clean() {
      return sequenceProblems.isEmpty() && lostWrites.isEmpty() && phantomReads.isEmpty();
    }
  }

  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  private JournalAudit() {}

  /** One event of a key as the journal holds it: a put's value (else null), an increment's amount (else 0). */
  record Row(long sequenceNumber, String manifest, String value, long by) {}

  static KeyAudit audit(String jdbcUrl, String key, Set<String> acknowledged, Set<String> observed) {
    List<String> problems = new ArrayList<>();
    Set<String> values = new HashSet<>();
    long expected = 1;
    for (Row row : rows(jdbcUrl, key)) {
      if (row.sequenceNumber() != expected) {
        problems.add("expected sequence number " + expected + ", found " + row.sequenceNumber());
      }
      expected = row.sequenceNumber() + 1;
      if (row.value() != null) values.add(row.value());
    }
    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(values);
    Set<String> phantom = new HashSet<>(observed);
    phantom.removeAll(values);
    return new KeyAudit(key, expected - 1, problems, lost, phantom);
  }

  /** The key's events in the journal, in sequence order. */
  static List<Row> rows(String jdbcUrl, String key) {
    List<Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
         PreparedStatement s = c.prepareStatement(
             "SELECT sequence_number, event_ser_manifest, event_payload FROM event_journal "
                 + "WHERE persistence_id = ? ORDER BY sequence_number")) {
      s.setString(1, "kv|default|" + key);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String manifest = rs.getString(2);
          String value = null;
          long by = 0;
          // Stable event names in the journal (docs/architecture.md, "Events as a contract").
          if (manifest.equals("kv.put")) {
            JsonNode event = CBOR.readTree(rs.getBytes(3));
            value = new String(event.get("value").binaryValue(), StandardCharsets.UTF_8);
          } else if (manifest.equals("kv.increment")) {
            by = CBOR.readTree(rs.getBytes(3)).get("by").asLong();
          }
          rows.add(new Row(rs.getLong(1), manifest, value, by));
        }
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot read the journal of " + key, e);
    }
    return rows;
  }
}
