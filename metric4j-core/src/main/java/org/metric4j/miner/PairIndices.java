package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mined pairs as PML's {@code (a1, p, a2, n)}: positive pairs and negative pairs, held as two
 * boolean Q x M masks over the pairwise matrix (the form every pair loss consumes) with index
 * views.
 */
public final class PairIndices {

    private final NDArray positiveMask;
    private final NDArray negativeMask;

    /** Pairs from two boolean masks of the same shape. */
    public PairIndices(NDArray positiveMask, NDArray negativeMask) {
        if (!positiveMask.getShape().equals(negativeMask.getShape())) {
            throw new IllegalArgumentException(
                    "positive and negative masks must have the same shape, got "
                            + positiveMask.getShape() + " and " + negativeMask.getShape());
        }
        this.positiveMask = positiveMask.toType(DataType.BOOLEAN, false);
        this.negativeMask = negativeMask.toType(DataType.BOOLEAN, false);
    }

    /** Boolean mask of the positive pairs. */
    public NDArray positiveMask() {
        return positiveMask;
    }

    /** Boolean mask of the negative pairs. */
    public NDArray negativeMask() {
        return negativeMask;
    }

    /** Positive pairs as rows {@code {a, p}}, sorted. */
    public long[][] positivePairs() {
        return rows(positiveMask);
    }

    /** Negative pairs as rows {@code {a, n}}, sorted. */
    public long[][] negativePairs() {
        return rows(negativeMask);
    }

    private static long[][] rows(NDArray mask) {
        long[] flat = mask.nonzero().toType(DataType.INT64, false).toLongArray();
        long[][] out = new long[flat.length / 2][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new long[] {flat[2 * i], flat[2 * i + 1]};
        }
        return out;
    }
}
