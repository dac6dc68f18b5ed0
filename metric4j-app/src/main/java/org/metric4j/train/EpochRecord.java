package org.metric4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one training epoch of {@link EmbeddingTrainer} produced: the loss and its components, the
 * learning rate, the throughput and the evaluation metrics.
 *
 * <p>The log line, {@code metrics.csv}, {@code run.json} and the checkpoint's {@code state.json}
 * show it as the flat map of {@link #toMap()}: {@code epoch}, {@code iteration}, {@code loss},
 * {@code loss_<component>} for each component, {@code lr}, {@code seconds},
 * {@code images_per_second}, {@code loop_overhead}, then the metrics; {@link #fromMap} reads it
 * back.
 *
 * @param epoch the epoch, 1-based (as logged)
 * @param iteration the training iteration after the epoch
 * @param loss the mean total loss of the epoch's steps (the weighted sum of the components)
 * @param componentLosses the mean unweighted loss of each component, by component name, in order
 * @param learningRate the learning rate of the epoch's last step
 * @param seconds the epoch's wall time (including the steps before a mid-epoch resume)
 * @param imagesPerSecond training throughput
 * @param loopOverhead the fraction of the time spent outside the forward, backward and update
 *     (data loading, logging)
 * @param metrics by name, in order: {@code <loss>_selected} and {@code <loss>_zero_steps} of each
 *     loss that selects pairs or triplets ({@link org.metric4j.loss.SelectionStats}), then the evaluators' metrics (none
 *     in an epoch without evaluation)
 */
public record EpochRecord(int epoch, long iteration, double loss, Map<String, Double> componentLosses,
        double learningRate, double seconds, double imagesPerSecond, double loopOverhead,
        Map<String, Double> metrics) {

    private static final String COMPONENT_PREFIX = "loss_";
    private static final Set<String> FIXED = Set.of("epoch", "iteration", "loss", "lr", "seconds",
            "images_per_second", "loop_overhead");

    /** Copies the maps (their order kept) and makes them unmodifiable. */
    public EpochRecord {
        componentLosses = Collections.unmodifiableMap(new LinkedHashMap<>(componentLosses));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** This record with {@code more} metrics added after its own (a name given twice takes the new value). */
    public EpochRecord withMetrics(Map<String, Double> more) {
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.putAll(more);
        return new EpochRecord(epoch, iteration, loss, componentLosses, learningRate, seconds, imagesPerSecond,
                loopOverhead, all);
    }

    /** The flat map of the log, the CSV and the JSON files (see the class Javadoc), in that order. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("epoch", (double) epoch);
        m.put("iteration", (double) iteration);
        m.put("loss", loss);
        componentLosses.forEach((name, v) -> m.put(COMPONENT_PREFIX + name, v));
        m.put("lr", learningRate);
        m.put("seconds", seconds);
        m.put("images_per_second", imagesPerSecond);
        m.put("loop_overhead", loopOverhead);
        m.putAll(metrics);
        return m;
    }

    /**
     * Reads a map written by {@link #toMap()} (the history of a checkpoint's {@code state.json}):
     * {@code loss_<name>} keys are the components, keys other than the fixed ones the metrics.
     *
     * @throws IllegalArgumentException if a fixed key is missing
     */
    public static EpochRecord fromMap(Map<String, Double> m) {
        Map<String, Double> components = new LinkedHashMap<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith(COMPONENT_PREFIX)) {
                components.put(k.substring(COMPONENT_PREFIX.length()), v);
            } else if (!FIXED.contains(k)) {
                metrics.put(k, v);
            }
        });
        return new EpochRecord((int) required(m, "epoch"), (long) required(m, "iteration"), required(m, "loss"),
                components, required(m, "lr"), required(m, "seconds"), required(m, "images_per_second"),
                required(m, "loop_overhead"), metrics);
    }

    private static double required(Map<String, Double> m, String key) {
        Double v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("an epoch record needs '" + key + "', got the keys " + m.keySet());
        }
        return v;
    }
}
