package io.actorkv;

/**
 * Marker for messages, events and snapshots that cross a process boundary
 * (network or journal); bound to Jackson CBOR in serialization.conf. Java
 * serialization is off, so a message without this marker fails loudly.
 */
public interface CborSerializable {}
