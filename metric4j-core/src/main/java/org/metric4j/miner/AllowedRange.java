package org.metric4j.miner;

import ai.djl.ndarray.NDArray;

/**
 * A closed interval {@code [low, high]} of distance (or similarity) values that a miner may
 * choose from (PML's {@code allowed_pos_range} / {@code allowed_neg_range}). Either bound may be
 * infinite; an empty interval ({@code low > high}) or a NaN bound is refused.
 *
 * @param low the smallest allowed value
 * @param high the largest allowed value
 */
public record AllowedRange(double low, double high) {

    /** Checks the bounds. */
    public AllowedRange {
        if (Double.isNaN(low) || Double.isNaN(high)) {
            throw new IllegalArgumentException("range bounds must not be NaN, got [" + low + ", " + high + "]");
        }
        if (low > high) {
            throw new IllegalArgumentException(
                    "range must not be empty (low <= high), got [" + low + ", " + high + "]");
        }
    }

    /** Whether each value of {@code values} lies in the interval (a boolean array). */
    NDArray contains(NDArray values) {
        return values.gte(low).logicalAnd(values.lte(high));
    }

    @Override
    public String toString() {
        return "[" + low + ", " + high + "]";
    }
}
