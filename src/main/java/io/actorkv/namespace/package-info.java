/**
 * Namespaces: their names, modes and definitions. Definitions are durable (an
 * event-sourced registry in the journal) and cluster-wide (every node caches
 * them and hears of changes by pub-sub).
 */
package io.actorkv.namespace;
