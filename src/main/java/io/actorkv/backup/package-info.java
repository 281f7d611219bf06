/**
 * Backups of a cluster's durable state and their restore ({@code actorkv
 * backup}, {@code actorkv restore}): the journal, tags, snapshots (the
 * namespace registry among them) and the cluster's secrets, read straight
 * from the journal's database in one snapshot and loaded in one transaction.
 */
package io.actorkv.backup;
