package org.metric4j.engine;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * An engine that runs {@code embed} and {@code evaluate} on a cluster, found with {@link
 * ServiceLoader} ({@code --engine spark}: the metric4j-spark module). The application itself does
 * not depend on Spark; the module and Spark's jars join the class path when present
 * ({@code ./metric4j} adds them, {@code spark-submit} provides Spark). An engine depends on the
 * core and on this package only.
 */
public interface DistributedEngine {

    /** The name given to {@code --engine}. */
    String name();

    /**
     * Embeds images with a TorchScript model and writes Parquet rows (id, label, embedding,
     * error): an image that does not decode keeps its row with the error and no embedding.
     *
     * @param job what to embed, with which model, where to write
     * @param out progress and the summary
     * @return the counts
     */
    EmbedResult embed(EmbedJob job, PrintWriter out) throws Exception;

    /**
     * Exact sharded evaluation of an embedding set: leave-one-out retrieval and, with a pairs
     * file, the verification protocol; the same numbers as the single-machine metrics.
     *
     * @param job the embeddings and what to compute
     * @param out the summary
     * @return the metrics
     */
    EvaluateResult evaluate(EvaluateJob job, PrintWriter out) throws Exception;

    /**
     * The engine's cases of {@code bench --suite scale}, one JSON line each.
     *
     * @param config the bench configuration (its {@code only} selects cases)
     * @param out receives each JSON line
     */
    default void scaleBenchmarks(BenchConfig config, Consumer<String> out) throws Exception {
        // an engine without benchmarks
    }

    /** The engine named {@code name} on the class path, or null. */
    static DistributedEngine lookup(String name) {
        for (DistributedEngine e : ServiceLoader.load(DistributedEngine.class)) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The engine named {@code name} on the class path.
     *
     * @throws IllegalArgumentException naming the engine and how to get it
     */
    static DistributedEngine find(String name) {
        DistributedEngine e = lookup(name);
        if (e != null) {
            return e;
        }
        throw new IllegalArgumentException("--engine " + name + " is not on the class path: build the metric4j-spark "
                + "module (mvn -B -DskipTests package) and run ./metric4j again, or spark-submit the metric4j-spark jar");
    }
}
