/**
 * TLS from PEM files: the HTTPS server side of the API and management ports,
 * reloaded when its files change, and the client side that trusts a CA file.
 * Between nodes, Artery's own rotating-keys engine reads its PEM directory
 * (see {@code io.actorkv.config.NodeConfig}); nothing here takes part in that.
 */
package io.actorkv.tls;
