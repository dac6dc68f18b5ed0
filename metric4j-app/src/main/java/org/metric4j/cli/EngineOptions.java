package org.metric4j.cli;

import picocli.CommandLine.Option;

/** Where {@code embed} and {@code evaluate} run: here, or on a cluster through a {@link org.metric4j.engine.DistributedEngine}. */
final class EngineOptions {

    @Option(names = "--engine", defaultValue = "local", description = "local, or spark: the job runs on a Spark "
            + "cluster through the metric4j-spark module (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--master", defaultValue = "local[*]",
            description = "With --engine spark: the Spark master URL (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--partitions", defaultValue = "0",
            description = "With --engine spark: tasks / reference shards (default: Spark's parallelism).")
    int partitions;

    boolean local() {
        return engine.equals("local");
    }
}
