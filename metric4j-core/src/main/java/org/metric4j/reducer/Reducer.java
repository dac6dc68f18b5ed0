package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;

/**
 * Reduces the per-term losses of a batch to a scalar. An empty set of terms reduces to a zero
 * that stays connected to the graph (its gradient is zero, never NaN).
 */
public interface Reducer {

    /** The scalar loss of the terms, in the values' dtype. */
    NDArray reduce(LossTerms terms);

    /**
     * Whether this reducer reads every term ({@link LossTerms#values()}), not only row
     * aggregates. A loss that can hand over row aggregates (the all-triplet hinge on sorted
     * distances) then materializes its terms instead. Default false.
     */
    default boolean needsValues() {
        return false;
    }
}
