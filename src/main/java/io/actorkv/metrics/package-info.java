/**
 * What a node counts and how Prometheus reads it: one Micrometer registry
 * per actor system ({@link io.actorkv.metrics.Metrics}), filled by the HTTP
 * API's requests, the key operations ({@link io.actorkv.metrics.KeyOperationMetrics},
 * a {@link io.actorkv.store.StoreFilter}), cluster membership and the JVM,
 * and served as {@code GET /metrics} on the management port.
 */
package io.actorkv.metrics;
