package org.metric4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * An engine that runs {@code embed} and {@code evaluate} on a cluster, found with {@link
 * java.util.ServiceLoader} ({@code --engine spark}: the metric4j-spark module). The application
 * itself does not depend on Spark; the module and Spark's jars join the class path when present
 * ({@code ./metric4j} adds them, {@code spark-submit} provides Spark).
 */
public interface DistributedEngine {

    /** The name given to {@code --engine}. */
    String name();

    /**
     * Embeds images with a TorchScript model and writes Parquet rows (id, label, embedding,
     * error): an image that does not decode keeps its row with the error and no embedding.
     *
     * @param master the Spark master URL (local[*], spark://host:7077, yarn, ...)
     * @param model the TorchScript file (readable from every executor)
     * @param flipSum InsightFace's flip-sum embedding
     * @param images an image folder (one sub-directory per identity) or a Parquet file of (id,
     *     label, image bytes)
     * @param output the Parquet directory to write
     * @param partitions the number of tasks (0: the default parallelism)
     * @param out progress and the summary
     * @return counts: images, embedded, unreadable, seconds
     */
    Map<String, Object> embed(String master, Path model, boolean flipSum, Path images, Path output, int partitions,
            PrintWriter out) throws Exception;

    /**
     * Exact sharded evaluation of an embedding set (Parquet from {@link #embed}, or .npy with
     * labels and names): leave-one-out retrieval over {@code partitions} shards and, with a pairs
     * file, the verification protocol; the same numbers as the single-machine metrics.
     *
     * @param master the Spark master URL
     * @param embeddings the embeddings (Parquet directory or .npy)
     * @param labels labels of a .npy, or null
     * @param names names of a .npy, or null
     * @param pairs an LFW pairs file, or null
     * @param retrieval whether to compute retrieval metrics
     * @param partitions shards of the reference set
     * @param out the summary
     * @return the metrics
     */
    Map<String, Object> evaluate(String master, Path embeddings, Path labels, Path names, Path pairs,
            boolean retrieval, int partitions, PrintWriter out) throws Exception;

    /**
     * The engine's cases of {@code bench --suite scale}, one JSON line each.
     *
     * @param config the bench configuration (its {@code only} selects cases)
     * @param out receives each JSON line
     */
    default void scaleBenchmarks(org.metric4j.bench.BenchConfig config, java.util.function.Consumer<String> out)
            throws Exception {
        // an engine without benchmarks
    }

    /** The engine named {@code name} on the class path, or null. */
    static DistributedEngine lookup(String name) {
        for (DistributedEngine e : java.util.ServiceLoader.load(DistributedEngine.class)) {
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
