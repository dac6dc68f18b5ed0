package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Positive and negative pair masks from labels, the companions of a {@link Distance} matrix.
 *
 * <p>{@code positive[i][j]} is true when query i and reference j share a label and are not the
 * same item; {@code negative[i][j]} when their labels differ. Against the batch itself the
 * diagonal is excluded from the positives; against a separate reference set (a memory bank with
 * its own labels) every same-label pair is positive.
 */
public final class PairMasks {

    private final NDArray positive;
    private final NDArray negative;

    private PairMasks(NDArray positive, NDArray negative) {
        this.positive = positive;
        this.negative = negative;
    }

    /** Masks of a batch against itself (diagonal excluded from positives). */
    public static PairMasks of(NDArray labels) {
        NDArray same = labels.reshape(-1, 1).eq(labels.reshape(1, -1));
        NDArray notSelf = eye(labels.getManager(), labels.getShape().get(0)).toDevice(labels.getDevice(), false)
                .logicalNot();
        return new PairMasks(same.logicalAnd(notSelf), same.logicalNot());
    }

    /** Masks of queries against a separate reference set with its own labels. */
    public static PairMasks of(NDArray queryLabels, NDArray referenceLabels) {
        NDArray same = queryLabels.reshape(-1, 1).eq(referenceLabels.reshape(1, -1));
        return new PairMasks(same, same.logicalNot());
    }

    /** A boolean identity matrix on {@code manager}'s device. */
    public static NDArray eye(NDManager manager, long n) {
        NDArray idx = manager.arange(n).toType(DataType.INT64, false);
        return idx.reshape(-1, 1).eq(idx.reshape(1, -1));
    }

    /** Boolean mask of positive pairs. */
    public NDArray positive() {
        return positive;
    }

    /** Boolean mask of negative pairs. */
    public NDArray negative() {
        return negative;
    }
}
