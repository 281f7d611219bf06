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

  static KeyAudit audit(String jdbcUrl, String key, Set<String> acknowledged, Set<String> observed) {
    List<String> problems = new ArrayList<>();
    Set<String> values = new HashSet<>();
    long expected = 1;
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
         PreparedStatement s = c.prepareStatement(
             "SELECT sequence_number, event_ser_manifest, event_payload FROM event_journal "
                 + "WHERE persistence_id = ? ORDER BY sequence_number")) {
      s.setString(1, "kv|default|" + key);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          if (seq != expected) problems.add("expected sequence number " + expected + ", found " + seq);
          expected = seq + 1;
          // A put's stable name in the journal (docs/architecture.md, "Events as a contract").
          if (rs.getString(2).equals("kv.put")) {
            JsonNode event = CBOR.readTree(rs.getBytes(3));
            values.add(new String(event.get("value").binaryValue(), StandardCharsets.UTF_8));
          }
        }
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot read the journal of " + key, e);
    }
    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(values);
    Set<String> phantom = new HashSet<>(observed);
    phantom.removeAll(values);
    return new KeyAudit(key, expected - 1, problems, lost, phantom);
  }
}
