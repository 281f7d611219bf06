/**
 * Boots a node: journal database, actor system, cluster, the stores and the
 * filters in front of them, management, HTTP. The only package that wires
 * the others together; only the command line stands above it.
 */
package io.actorkv.node;
