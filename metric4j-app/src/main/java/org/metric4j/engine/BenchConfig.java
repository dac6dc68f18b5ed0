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
 * @param fixtures the folder of the fixture files a suite reads (the models suite's backbones), or
 *     null for the suite's default
 */
public record BenchConfig(int warmup, int iterations, int threads, String only, long seed, Device device,
        java.nio.file.Path fixtures) {

    /** Checks the device. */
    public BenchConfig {
        java.util.Objects.requireNonNull(device, "device");
    }

    /** A configuration with the suites' default fixture folders. */
    public BenchConfig(int warmup, int iterations, int threads, String only, long seed, Device device) {
        this(warmup, iterations, threads, only, seed, device, null);
    }

    /** The same configuration with other iteration counts (the suites' reduced runs). */
    public BenchConfig withIterations(int warmup, int iterations) {
        return new BenchConfig(warmup, iterations, threads, only, seed, device, fixtures);
    }

    /** Whether a case runs under this configuration. */
    public boolean selects(String name) {
        return only == null || only.isBlank() || Pattern.compile(only).matcher(name).find();
    }
}
