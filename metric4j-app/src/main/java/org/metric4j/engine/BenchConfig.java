package org.metric4j.engine;

import ai.djl.Device;
import java.util.regex.Pattern;

/**
 * How a suite runs.
 *
 * @param warmup untimed iterations per case
 * @param iterations timed iterations per case
 * @param threads intra-op threads of the engine
 * @param only a regex on case names, or null for all
 * @param seed the random seed of the inputs
 * @param device the device of every model and array
 */
public record BenchConfig(int warmup, int iterations, int threads, String only, long seed, Device device) {

    /** Checks the device. */
    public BenchConfig {
        java.util.Objects.requireNonNull(device, "device");
    }

    /** The same configuration with other iteration counts (the suites' reduced runs). */
    public BenchConfig withIterations(int warmup, int iterations) {
        return new BenchConfig(warmup, iterations, threads, only, seed, device);
    }

    /** Whether a case runs under this configuration. */
    public boolean selects(String name) {
        return only == null || only.isBlank() || Pattern.compile(only).matcher(name).find();
    }
}
