package io.actorkv.metrics;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the management port, in Prometheus' text format;
 * named in {@code pekko.management.http.routes}, which makes it with the
 * actor system.
 */
public final class MetricsRoutes extends AllDirectives implements ManagementRouteProvider {

  /** Prometheus' text exposition format 0.0.4. */
  private static final ContentType.WithCharset TEXT = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

  private final Metrics metrics;

  public MetricsRoutes(ExtendedActorSystem system) {
    this.metrics = Metrics.get(system);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("metrics", () -> get(() -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(TEXT, metrics.scrape())))));
  }
}
