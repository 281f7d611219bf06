/**
 * The key-value API beneath every transport: {@link io.actorkv.store.KeyValueStore},
 * its requests and outcomes, the per-request context, and the seam where
 * cross-cutting concerns wrap the stores ({@link io.actorkv.store.StoreFilter}).
 * It knows no mode's implementation; strong and eventual implement it.
 */
package io.actorkv.store;
