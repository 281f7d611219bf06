package io.actorkv.client;

/** What one benchmark request does to its key. */
enum Op {
  READ,
  WRITE
}
