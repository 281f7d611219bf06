/**
 * The SQL database behind the journal: which one (PostgreSQL, or embedded
 * H2), its schema (Flyway), and the cluster's secrets kept in it. Below the
 * node and the tools that read the journal directly.
 */
package io.actorkv.journal;
