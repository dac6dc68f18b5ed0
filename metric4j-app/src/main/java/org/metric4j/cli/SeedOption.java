package org.metric4j.cli;

import picocli.CommandLine.Option;

/** {@code --seed}, shared by every command that draws random numbers (datasets, samplers, k-means++, inputs). */
final class SeedOption {

    /** The default seed. */
    static final long DEFAULT = 1;

    @Option(names = "--seed", defaultValue = "" + DEFAULT, description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULT;
}
