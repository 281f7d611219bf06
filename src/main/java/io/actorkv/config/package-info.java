/**
 * A node's configuration: the settings table, how options, environment and
 * files are layered over application.conf, and the typed settings read
 * from it once.
 */
package io.actorkv.config;
