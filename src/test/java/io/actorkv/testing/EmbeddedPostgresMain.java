package io.actorkv.testing;

/**
 * Starts the embedded PostgreSQL of the tests as a stand-alone server for
 * scripts (bench/compare.sh on a machine without PostgreSQL): prints
 * {@code port=<n> database=<name>} and runs until killed.
 */
public final class EmbeddedPostgresMain {
  public static void main(String[] args) throws InterruptedException {
    String database = TestPostgres.newDatabase();
    System.out.println("port=" + TestPostgres.port() + " database=" + database);
    System.out.flush();
    Thread.currentThread().join();
  }
}
