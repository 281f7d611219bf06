/**
 * Who may do what: bearer tokens verified into a principal
 * ({@link io.actorkv.security.Tokens}), the cluster's access rules (roles
 * and the subjects and claimed roles bound to them, kept by one
 * event-sourced registry like the namespaces'), a principal's resolved
 * {@link io.actorkv.security.Access}, and the key-level check in front of
 * the stores ({@link io.actorkv.security.Authorization}). The keys of
 * encryption at rest are in {@code io.actorkv.crypto}.
 */
package io.actorkv.security;
