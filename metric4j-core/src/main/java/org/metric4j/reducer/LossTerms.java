package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;

/**
 * The per-term losses of one batch before reduction: a values array of any shape, an optional
 * boolean mask of the terms that exist (a pair loss computed on a B x B matrix has terms only on
 * its positive pairs, say), and optionally the anchor that owns each row (for per-anchor
 * reduction).
 */
public final class LossTerms {

    private final NDArray values;
    private final NDArray mask;
    private final NDArray rowAnchors;
    private final long numAnchors;

    private LossTerms(NDArray values, NDArray mask, NDArray rowAnchors, long numAnchors) {
        if (mask != null && !mask.getShape().equals(values.getShape())) {
            throw new IllegalArgumentException(
                    "mask must have the shape of the loss values " + values.getShape() + ", got "
                            + mask.getShape());
        }
        this.values = values;
        this.mask = mask;
        this.rowAnchors = rowAnchors;
        this.numAnchors = numAnchors;
    }

    /** Every entry of {@code values} is a term. */
    public static LossTerms of(NDArray values) {
        return new LossTerms(values, null, null, 0);
    }

    /** The entries of {@code values} where {@code mask} is true are the terms. */
    public static LossTerms of(NDArray values, NDArray mask) {
        return new LossTerms(values, mask, null, 0);
    }

    /**
     * The same terms with the anchor of each row: {@code rowAnchors} (INT64, one per row of the
     * values) holds anchor ids in {@code [0, numAnchors)}.
     */
    public LossTerms withAnchors(NDArray rowAnchors, long numAnchors) {
        return new LossTerms(values, mask, rowAnchors, numAnchors);
    }

    /** The loss values. */
    public NDArray values() {
        return values;
    }

    /** The mask of existing terms, or {@code null} when every entry is a term. */
    public NDArray mask() {
        return mask;
    }

    /** The anchor of each row, or {@code null}. */
    public NDArray rowAnchors() {
        return rowAnchors;
    }

    /** The number of anchors that {@link #rowAnchors()} indexes. */
    public long numAnchors() {
        return numAnchors;
    }

    /** The values with non-terms set to 0 (gradient flows only to the terms). */
    public NDArray selected() {
        if (mask == null) {
            return values;
        }
        return ai.djl.ndarray.NDArrays.where(mask, values, values.zerosLike());
    }

    /** The mask of terms in the values' dtype (all ones when there is no mask). */
    public NDArray maskAsValues() {
        return mask == null ? values.onesLike() : mask.toType(values.getDataType(), false);
    }
}
