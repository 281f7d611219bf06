/**
 * The journal as an audit log, read straight from its database: verifying
 * every strong key's hash chain, checkpoints of the keys' heads, and reports
 * of who changed what and when ({@code actorkv audit}).
 */
package io.actorkv.audit;
