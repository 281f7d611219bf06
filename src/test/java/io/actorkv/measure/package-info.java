/**
 * Measurement programs, run by {@code bench/measure.sh}. Each is a
 * {@code main}, not a test: they take minutes, report numbers rather than
 * assert them, and never run in {@code mvn verify}. See docs/benchmarks.md,
 * "Other measurements".
 */
package io.actorkv.measure;
