package org.metric4j.engine;

import java.nio.file.Path;
import java.util.Map;

/**
 * An embedding job: images through an imported model (TorchScript or ONNX, with the
 * preprocessing the driver resolved) into Parquet rows.
 *
 * @param master the Spark master URL (local[*], spark://host:7077, yarn, ...); under
 *     spark-submit its master wins
 * @param model the model file (readable from every executor), its format and its preprocessing
 * @param images an image folder (one sub-directory per identity) or a Parquet file of (id,
 *     label, image bytes)
 * @param output the Parquet directory to write
 * @param partitions the number of tasks (0: the default parallelism)
 * @param device DJL's name of the device the executors run the model on ({@code cpu}, {@code gpu0}, ...;
 *     a name, not an {@code ai.djl.Device}, so that the job serializes)
 * @param sparkConf Spark settings for the session ({@code --spark-conf KEY=VALUE}), in order
 */
public record EmbedJob(String master, ImportedModel model, Path images, Path output, int partitions,
        String device, Map<String, String> sparkConf) {

    /** The job without Spark settings. */
    public EmbedJob(String master, ImportedModel model, Path images, Path output, int partitions, String device) {
        this(master, model, images, output, partitions, device, Map.of());
    }

    /** A copy of the settings (never null). */
    public EmbedJob {
        sparkConf = sparkConf == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(sparkConf));
    }
}
