package io.actorkv.journal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;

/**
 * A readiness check of Pekko Management
 * ({@code pekko.management.health-checks.readiness-checks}): a node on an
 * embedded journal is ready only while its database gives a connection,
 * so that an embedded PostgreSQL that died and cannot be started again (a
 * full disk) shows. It keeps one pooled connection, which the pool checks
 * when it has been idle, and answers within the management's check
 * timeout. A shared PostgreSQL is not checked: out of reach, it would make
 * every node unready at once and leave clients no node at all, where each
 * still serves eventual namespaces and answers {@code 503
 * journal_unavailable} for the rest. Liveness is left alone: a restart of
 * the node does not mend the database.
 */
public final class JournalReadiness implements Supplier<CompletionStage<Boolean>> {
  private final Optional<HikariDataSource> connection;
  private final Executor blocking;

  public JournalReadiness(ActorSystem system) {
    var config = system.settings().config();
    long timeoutMillis = config.getDuration("pekko.management.health-checks.check-timeout").toMillis();
    this.connection = config.getString("actorkv.db.url").isEmpty()
        ? Optional.of(JournalDatabase.fromPekkoConfig(config).journalPool("actorkv-readiness", 1, timeoutMillis))
        : Optional.empty();
    this.blocking = system.dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
    connection.ifPresent(pool -> system.registerOnTermination(pool::close));
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (connection.isEmpty()) return CompletableFuture.completedFuture(true);
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = connection.get().getConnection()) {
        return true;
      } catch (SQLException e) {
        return false;
      }
    }, blocking);
  }
}
