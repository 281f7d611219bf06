/**
 * Offline linearizability checking of recorded client histories.
 *
 * <p>This package owns the checker ({@link io.actorkv.verify.Checker}: Wing–Gong search with
 * Lowe's memoisation, split per key by P-compositionality, bounded by a time limit), the
 * sequential specifications it checks against ({@link io.actorkv.verify.Models}: a register with
 * read/write/cas, a per-key map with get/put/append, and a bank of accounts with transfers and
 * reads of all, which checks transactions for strict serializability), parsers for the two
 * history formats we accept (Jepsen etcd logs and Porcupine key-value logs) and the
 * {@code verify-history} entry
 * point ({@link io.actorkv.verify.VerifyHistory}). It depends on nothing but the JDK, and nothing
 * in the running store depends on it.
 */
package io.actorkv.verify;
