package io.actorkv.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.actorkv.store.Change;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.KeyJournal;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Who changed what and when, one line per change of a strong key, in the
 * order the journal stored them: as JSON lines or CSV. A value shows as its
 * size and SHA-256 unless values are asked for (base64).
 */
public final class AuditReport {

  public enum Format { JSONL, CSV }

  /** Which changes the report shows: empty filters show everything. */
  public record Filter(Optional<Instant> since, Optional<Instant> until, Optional<String> principal) {
    boolean accepts(Change change) {
      return since.map(s -> !change.time().isBefore(s)).orElse(true)
          && until.map(u -> change.time().isBefore(u)).orElse(true)
          && principal.map(p -> p.equals(change.principal())).orElse(true);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  static final String[] COLUMNS = {"offset", "namespace", "key", "revision", "operation", "principal", "time",
      "contentType", "size", "sha256", "expires", "by", "from", "hash", "value"};

  private final Writer out;
  private final Format format;
  private final Filter filter;
  private final boolean values;
  private long shown;

  AuditReport(Writer out, Format format, Filter filter, boolean values) throws IOException {
    this.out = out;
    this.format = format;
    this.filter = filter;
    this.values = values;
    if (format == Format.CSV) out.write(String.join(",", COLUMNS) + "\n");
  }

  void row(JournalRows.Row row) throws IOException {
    if (row.event() == null) return;
    Change change = KeyJournal.change(row.revision(), row.event());
    if (!filter.accepts(change)) return;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("offset", row.ordering());
    line.put("namespace", row.namespace());
    line.put("key", row.key());
    line.put("revision", change.revision());
    line.put("operation", change.operation());
    line.put("principal", change.principal());
    line.put("time", change.time());
    line.put("contentType", change.contentType());
    line.put("size", change.size());
    line.put("sha256", change.sha256());
    line.put("expires", change.expires());
    line.put("by", change.by());
    line.put("from", change.from());
    line.put("hash", change.hash());
    line.put("value", values ? value(row.event()) : null);
    if (format == Format.JSONL) {
      line.values().removeIf(v -> v == null);
      out.write(JSON.writeValueAsString(line));
    } else {
      StringJoiner csv = new StringJoiner(",");
      for (String column : COLUMNS) {
        Object v = line.get(column);
        csv.add(v == null ? "" : csvField(v.toString()));
      }
      out.write(csv.toString());
    }
    out.write('\n');
    shown++;
  }

  long shown() {
    return shown;
  }

  private static String value(KeyEvent e) {
    byte[] bytes = e instanceof KeyEvent.ValuePut p ? p.value() : e instanceof KeyEvent.ValueReverted r ? r.value() : null;
    return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
  }

  /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
  private static String csvField(String v) {
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
    return '"' + v.replace("\"", "\"\"") + '"';
  }
}
