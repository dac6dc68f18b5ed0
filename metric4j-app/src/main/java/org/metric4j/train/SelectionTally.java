package org.metric4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.metric4j.loss.Selection;

/**
 * The selections of one epoch's steps, per loss component that selects pairs, triplets or
 * anchors ({@link org.metric4j.loss.SelectionStats}): how many each step used and how many steps
 * had a loss of exactly 0. The epoch's record holds {@code <loss>_selected} (mean count per step)
 * and {@code <loss>_zero_steps} (the fraction of steps whose loss was 0); a mid-epoch checkpoint
 * keeps the running sums ({@link #toMap()}) so that a resumed epoch reports the same means.
 */
final class SelectionTally {

    private static final String SELECTED = "selected_";
    private static final String ZERO = "zero_";
    private static final String STEPS = "selection_steps_";

    private final double[] selected;
    private final double[] zero;
    private final int[] steps;

    SelectionTally(int components) {
        selected = new double[components];
        zero = new double[components];
        steps = new int[components];
    }

    /** Counts one step of component {@code k}: its loss value and selection (empty: not a selecting loss). */
    void add(int k, double value, Optional<Selection> selection) {
        if (selection.isEmpty()) {
            return;
        }
        steps[k]++;
        selected[k] += selection.get().count();
        if (value == 0.0) {
            zero[k]++;
        }
    }

    /** Whether component {@code k} reported a selection this epoch. */
    boolean selects(int k) {
        return steps[k] > 0;
    }

    /** The mean count per step of component {@code k}. */
    double meanSelected(int k) {
        return steps[k] == 0 ? Double.NaN : selected[k] / steps[k];
    }

    /** The fraction of component {@code k}'s steps whose loss was exactly 0. */
    double zeroFraction(int k) {
        return steps[k] == 0 ? Double.NaN : zero[k] / steps[k];
    }

    /** {@code <name>_selected} and {@code <name>_zero_steps} of each selecting component, in order. */
    Map<String, Double> metrics(java.util.List<String> names) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < steps.length; k++) {
            if (selects(k)) {
                m.put(names.get(k) + "_selected", meanSelected(k));
                m.put(names.get(k) + "_zero_steps", zeroFraction(k));
            }
        }
        return m;
    }

    /** The running sums, for a mid-epoch checkpoint ({@code selected_<k>}, {@code zero_<k>}, {@code selection_steps_<k>}). */
    Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < steps.length; k++) {
            if (steps[k] > 0) {
                m.put(SELECTED + k, selected[k]);
                m.put(ZERO + k, zero[k]);
                m.put(STEPS + k, (double) steps[k]);
            }
        }
        return m;
    }

    /** Restores the sums of {@link #toMap()} (keys of components it lacks are ignored). */
    void restore(Map<String, Double> sums) {
        for (int k = 0; k < steps.length; k++) {
            Double n = sums.get(STEPS + k);
            if (n != null) {
                steps[k] = n.intValue();
                selected[k] = sums.getOrDefault(SELECTED + k, 0.0);
                zero[k] = sums.getOrDefault(ZERO + k, 0.0);
            }
        }
    }
}
