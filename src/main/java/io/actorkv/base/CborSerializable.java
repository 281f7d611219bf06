package io.actorkv.base;

/**
 * Marker for messages that cross the network between nodes; bound to Jackson
 * CBOR in serialization.conf, which names them by Java class. Java
 * serialization is off, so a message without a binding fails loudly. What
 * the journal stores is not marked: it has stable type names of its own
 * ({@link JournalSerializer}).
 */
public interface CborSerializable {}
