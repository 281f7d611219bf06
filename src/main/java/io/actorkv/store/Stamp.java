package io.actorkv.store;

/** How an answer identifies the key's state: a strong key's revision, or an eventual key's causal context. */
public sealed interface Stamp {

  /** The number of changes the key has had; grows by one with each. */
  record Revision(long number) implements Stamp {}

  /** The key's version vector, opaque to clients, who send it back to supersede what they read. */
  record Context(String token) implements Stamp {}
}
