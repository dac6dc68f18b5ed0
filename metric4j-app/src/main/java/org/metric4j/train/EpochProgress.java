package org.metric4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.metric4j.math.Inputs;

/**
 * The running sums of an epoch interrupted after {@code steps} steps, kept in a mid-epoch
 * checkpoint so that {@link EmbeddingTrainer} resumes the epoch where it stopped and reports the
 * same means as an uninterrupted run.
 *
 * <p>In {@code state.json} it is the flat map of {@link #toMap()} ({@code steps}, {@code loss},
 * {@code images}, {@code seconds}, {@code loss_<k>} for component number {@code k}, and the
 * selection sums {@code selected_<k>}, {@code zero_<k>}, {@code selection_steps_<k>} of a component
 * that selects pairs or triplets); {@link #fromMap} reads it back.
 *
 * @param steps the steps of the epoch done
 * @param lossSum the sum of their total losses
 * @param images the images they trained on
 * @param seconds their wall time
 * @param componentLossSums the sum of each component's unweighted loss, by component number
 * @param selectionSums the running selection sums of the selecting components (the keys above)
 */
public record EpochProgress(int steps, double lossSum, long images, double seconds, List<Double> componentLossSums,
        Map<String, Double> selectionSums) {

    private static final List<String> SELECTION_KEYS = List.of("selected_", "zero_", "selection_steps_");

    /** Copies the component sums. */
    public EpochProgress {
        Inputs.atLeast("steps", steps, 1);
        componentLossSums = List.copyOf(componentLossSums);
        selectionSums = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(selectionSums));
    }

    /** Progress without selection sums. */
    public EpochProgress(int steps, double lossSum, long images, double seconds, List<Double> componentLossSums) {
        this(steps, lossSum, images, seconds, componentLossSums, Map.of());
    }

    /** The sum of component {@code k}'s losses (0 for a component the checkpoint does not have). */
    public double componentLossSum(int k) {
        return k < componentLossSums.size() ? componentLossSums.get(k) : 0.0;
    }

    /** The flat map of {@code state.json} (see the class Javadoc). */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) steps);
        m.put("loss", lossSum);
        m.put("images", (double) images);
        m.put("seconds", seconds);
        for (int k = 0; k < componentLossSums.size(); k++) {
            m.put("loss_" + k, componentLossSums.get(k));
        }
        m.putAll(selectionSums);
        return m;
    }

    /**
     * Reads a map written by {@link #toMap()}; the component sums are {@code loss_0},
     * {@code loss_1}, ... up to the first number missing.
     *
     * @throws IllegalArgumentException if {@code steps}, {@code loss}, {@code images} or
     *     {@code seconds} is missing
     */
    public static EpochProgress fromMap(Map<String, Double> m) {
        for (String key : List.of("steps", "loss", "images", "seconds")) {
            if (m.get(key) == null) {
                throw new IllegalArgumentException("the progress of an epoch needs '" + key + "', got the keys "
                        + m.keySet());
            }
        }
        List<Double> parts = new ArrayList<>();
        for (int k = 0; m.containsKey("loss_" + k); k++) {
            parts.add(m.get("loss_" + k));
        }
        Map<String, Double> selection = new LinkedHashMap<>();
        m.forEach((key, v) -> {
            if (SELECTION_KEYS.stream().anyMatch(key::startsWith)) {
                selection.put(key, v);
            }
        });
        return new EpochProgress(m.get("steps").intValue(), m.get("loss"), m.get("images").longValue(),
                m.get("seconds"), parts, selection);
    }
}
