package io.actorkv.journal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;

/**
 * A readiness check of Pekko Management
 * ({@code pekko.management.health-checks.readiness-checks}): ready only
 * while the journal's database gives a connection, so that a load balancer
 * sends no requests to a node whose writes would fail: an embedded server
 * that died and cannot be started again (a full disk), a shared database
 * out of reach. It keeps one connection, validated on each check, and
 * answers no within the management's check timeout. Liveness is left alone:
 * a restart of the node does not mend the database.
 */
public final class JournalReadiness implements Supplier<CompletionStage<Boolean>> {
  private final HikariDataSource connection;
  private final Executor blocking;

  public JournalReadiness(ActorSystem system) {
    long timeoutMillis = system.settings().config()
        .getDuration("pekko.management.health-checks.check-timeout").toMillis();
    this.connection = JournalDatabase.fromPekkoConfig(system.settings().config())
        .journalPool("actorkv-readiness", 1, timeoutMillis);
    this.blocking = system.dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
    system.registerOnTermination(connection::close);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = connection.getConnection()) {
        return true;
      } catch (SQLException e) {
        return false;
      }
    }, blocking);
  }
}
