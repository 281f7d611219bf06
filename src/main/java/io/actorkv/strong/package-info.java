/**
 * Strong mode: one event-sourced, sharded entity per (namespace, key). Single
 * writer per key rests on three things: sharding runs at most one live entity
 * per key, the split-brain resolver stops a minority, and the journal's
 * (persistence_id, sequence_number) primary key rejects a second writer.
 * Reads are answered by that one entity, so they are linearizable.
 */
package io.actorkv.strong;
