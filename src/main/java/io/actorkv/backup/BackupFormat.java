package io.actorkv.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The backup file: UTF-8 JSON lines. A header first ({@code format},
 * {@code version}, the schema version, the source's vendor, the time, the
 * namespace if only one, every table's columns); then one line per row,
 * {@code {"t": table, "v": [values in the header's column order]}}, tables in
 * the order of {@link #TABLES} (tags after the events they refer to), bytes
 * as base64; last a trailer with the rows of each table and the SHA-256 of
 * every byte before the trailer. A file without its trailer, or whose bytes
 * do not match it, is not a backup.
 */
final class BackupFormat {

  static final String FORMAT = "actorkv-backup";
  static final int VERSION = 1;
  static final ObjectMapper JSON = new ObjectMapper();

  /** The namespace registry's persistence id ({@code io.actorkv.namespace.NamespaceRegistry}). */
  static final String REGISTRY_PERSISTENCE_ID = "namespaces|registry";

  static final String NOT_INCLUDED = "values of eventual namespaces: they live in each node's LMDB "
      + "(<data-dir>/eventual), not in the journal";

  enum Type { LONG, INT, BOOL, TEXT, BYTES }

  record Column(String name, Type type) {}

  /** A table, its columns, the order its rows are written in, and whether its rows belong to a persistence id. */
  record Table(String name, List<Column> columns, String orderBy, Scope scope) {
    List<String> columnNames() {
      return columns.stream().map(Column::name).toList();
    }
  }

  /** How a table's rows are chosen for a backup of one namespace. */
  enum Scope { BY_PERSISTENCE_ID, BY_EVENT, ALL }

  private static Column c(String name, Type type) {
    return new Column(name, type);
  }

  static final List<Table> TABLES = List.of(
      new Table("event_journal", List.of(c("ordering", Type.LONG), c("persistence_id", Type.TEXT),
          c("sequence_number", Type.LONG), c("deleted", Type.BOOL), c("writer", Type.TEXT),
          c("write_timestamp", Type.LONG), c("adapter_manifest", Type.TEXT), c("event_ser_id", Type.INT),
          c("event_ser_manifest", Type.TEXT), c("event_payload", Type.BYTES), c("meta_ser_id", Type.INT),
          c("meta_ser_manifest", Type.TEXT), c("meta_payload", Type.BYTES)), "ordering", Scope.BY_PERSISTENCE_ID),
      new Table("event_tag", List.of(c("event_id", Type.LONG), c("tag", Type.TEXT)), "event_id, tag",
          Scope.BY_EVENT),
      new Table("snapshot", List.of(c("persistence_id", Type.TEXT), c("sequence_number", Type.LONG),
          c("created", Type.LONG), c("snapshot_ser_id", Type.INT), c("snapshot_ser_manifest", Type.TEXT),
          c("snapshot_payload", Type.BYTES), c("meta_ser_id", Type.INT), c("meta_ser_manifest", Type.TEXT),
          c("meta_payload", Type.BYTES)), "persistence_id, sequence_number", Scope.BY_PERSISTENCE_ID),
      new Table("actorkv_secret", List.of(c("name", Type.TEXT), c("secret", Type.BYTES)), "name", Scope.ALL),
      new Table("actorkv_data_key", List.of(c("storage_name", Type.TEXT), c("master_key_id", Type.TEXT),
          c("wrapped", Type.BYTES)), "storage_name", Scope.ALL));

  /** Tables added after backups of this version were first written: an older backup has none of their rows. */
  static final List<String> LATER_TABLES = List.of("actorkv_data_key");

  /** The tables that make the journal: a database with a row in any of them is not empty. */
  static final List<String> JOURNAL_TABLES = List.of("event_journal", "event_tag", "snapshot");

  private BackupFormat() {}

  static Table table(String name) {
    return TABLES.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  static int index(Table table) {
    return TABLES.indexOf(table);
  }

  /** Keys of a namespace, any incarnation: {@code kv|<ns>|...} and {@code kv|<ns>~<n>|...}. */
  static List<String> persistenceIdPatterns(String namespace) {
    String literal = namespace.replace("!", "!!").replace("_", "!_").replace("%", "!%");
    return List.of("kv|" + literal + "|%", "kv|" + literal + "~%");
  }
}
