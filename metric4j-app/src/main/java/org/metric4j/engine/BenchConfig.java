package org.metric4j.engine;

import java.util.regex.Pattern;

/**
 * How a suite runs.
 *
 * @param warmup untimed iterations per case
 * @param iterations timed iterations per case
 * @param threads intra-op threads of the engine
 * @param only a regex on case names, or null for all
 * @param seed the random seed of the inputs
 */
public record BenchConfig(int warmup, int iterations, int threads, String only, long seed) {

    /** Whether a case runs under this configuration. */
    public boolean selects(String name) {
        return only == null || only.isBlank() || Pattern.compile(only).matcher(name).find();
    }
}
