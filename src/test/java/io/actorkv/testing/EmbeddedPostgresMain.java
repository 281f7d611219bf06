package io.actorkv.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the embedded PostgreSQL of the tests as a stand-alone server for
 * scripts (bench/compare.sh on a machine without PostgreSQL), runs until
 * killed.
 *
 * <pre>EmbeddedPostgresMain [name=value ...] [-- SQL ...]</pre>
 *
 * Each {@code name=value} is a server setting; each argument after
 * {@code --} a statement run once the server is up, in order. Then it creates
 * the database {@code actorkv} and prints {@code port=<n> database=actorkv}.
 */
public final class EmbeddedPostgresMain {

  static final String DATABASE = "actorkv";

  public static void main(String[] args) throws InterruptedException, SQLException {
    List<String> all = Arrays.asList(args);
    int sql = all.indexOf("--");
    EmbeddedPostgres server = TestPostgres.start(settings(sql < 0 ? all : all.subList(0, sql)));
    List<String> statements = sql < 0 ? List.of() : all.subList(sql + 1, all.size());
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) s.execute(statement);
      s.execute("CREATE DATABASE " + DATABASE);
    }
    System.out.println("port=" + server.getPort() + " database=" + DATABASE);
    System.out.flush();
    Thread.currentThread().join();
  }

  static Map<String, String> settings(List<String> args) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("not a setting (name=value): " + arg);
      settings.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return settings;
  }
}
