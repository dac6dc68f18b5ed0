package org.metric4j.engine;

import java.nio.file.Path;
import java.util.Map;

/**
 * A sharded evaluation.
 *
 * @param master the Spark master URL
 * @param embeddings the embeddings (Parquet directory from the embedding job, or .npy / .csv)
 * @param labels the labels of a .npy, or null
 * @param names the names of a .npy, or null
 * @param pairs an LFW pairs file for the verification protocol, or null
 * @param retrieval whether to compute leave-one-out retrieval metrics
 * @param partitions shards of the reference set (0: the default parallelism)
 * @param device DJL's name of the device the shards' k-NN search runs on ({@code cpu}, {@code gpu0}, ...)
 * @param sparkConf Spark settings for the session ({@code --spark-conf KEY=VALUE}), in order
 */
public record EvaluateJob(String master, Path embeddings, Path labels, Path names, Path pairs, boolean retrieval,
        int partitions, String device, Map<String, String> sparkConf) {

    /** The job without Spark settings. */
    public EvaluateJob(String master, Path embeddings, Path labels, Path names, Path pairs, boolean retrieval,
            int partitions, String device) {
        this(master, embeddings, labels, names, pairs, retrieval, partitions, device, Map.of());
    }

    /** A copy of the settings (never null). */
    public EvaluateJob {
        sparkConf = sparkConf == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(sparkConf));
    }
}
