/**
 * Benchmark suites: programs that print one JSON line per case ({@code name}, {@code ms_median},
 * {@code peak_rss_mb}, ...), never timed unit tests.
 */
package org.metric4j.bench;
