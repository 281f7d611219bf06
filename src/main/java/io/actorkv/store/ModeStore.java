package io.actorkv.store;

import io.actorkv.namespace.Mode;
import io.actorkv.namespace.Namespaces;

/** The store of one consistency mode: its key operations and what a namespace of that mode holds. */
public interface ModeStore extends KeyValueStore, Namespaces.Contents {

  Mode mode();
}
