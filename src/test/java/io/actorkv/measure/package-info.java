/**
 * Measurement programs for eventual namespaces, run by
 * {@code bench/eventual-measure.sh}. Each is a {@code main}, not a test: they
 * take minutes, report numbers rather than assert them, and never run in
 * {@code mvn verify}. See docs/benchmarks.md, "Eventual mode measurements".
 */
package io.actorkv.measure;
