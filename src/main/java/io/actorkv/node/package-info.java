/** Boots a node: configuration, journal database, actor system, cluster, management, HTTP. */
package io.actorkv.node;
