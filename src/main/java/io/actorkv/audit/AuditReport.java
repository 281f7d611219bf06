package io.actorkv.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.actorkv.store.ChangeLog;
import io.actorkv.strong.KeyEvent;
import io.actorkv.strong.KeyJournal;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Who changed what and when, one line per change of a strong key, in the
 * order the journal stored them: as JSON lines or CSV. A value shows as its
 * size and SHA-256 unless values are asked for (base64).
 */
public final class AuditReport {

  public enum Format { JSONL, CSV }

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  static final String[] COLUMNS = {"offset", "namespace", "incarnation", "key", "revision", "operation", "principal", "time",
      "contentType", "size", "sha256", "expires", "by", "from", "hash", "value"};

  private final Writer out;
  private final Format format;
  private final ChangeLog.Filter filter;
  private final boolean values;
  private long shown;

  AuditReport(Writer out, Format format, ChangeLog.Filter filter, boolean values) throws IOException {
    this.out = out;
    this.format = format;
    this.filter = filter;
    this.values = values;
    if (format == Format.CSV) out.write(String.join(",", COLUMNS) + "\n");
  }

  void row(JournalRows.Row row) throws IOException {
    if (row.event() == null || row.deleted()) return;
    ChangeLog.Entry entry = new ChangeLog.Entry(row.ordering(), row.namespace(), row.key(),
        KeyJournal.change(row.revision(), row.event()), value(row.event()), sealed(row.event()));
    if (!filter.accepts(entry.key(), entry.change())) return;
    Map<String, Object> line = entry.fields(values);
    if (format == Format.JSONL) {
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

  private static boolean sealed(KeyEvent e) {
    return e instanceof KeyEvent.ValuePut p ? p.sealed() : e instanceof KeyEvent.ValueReverted r && r.sealed();
  }

  private static byte[] value(KeyEvent e) {
    return e instanceof KeyEvent.ValuePut p ? p.value() : e instanceof KeyEvent.ValueReverted r ? r.value() : null;
  }

  /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
  private static String csvField(String v) {
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
    return '"' + v.replace("\"", "\"\"") + '"';
  }
}
