package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.metric4j.math.NDMath;

/**
 * The per-term losses of one batch before reduction, in one of two forms.
 *
 * <ul>
 *   <li>Values: an array of any shape, an optional boolean mask of the terms that exist (a pair
 *       loss computed on a B x B matrix has terms only on its positive pairs, say). Rows are the
 *       first axis (a 1-D array has one term per row).
 *   <li>Row aggregates: per row, the sum of its terms, the number of terms, and the sum and
 *       number of its positive terms. A loss that can sum its terms without materializing them
 *       (all-triplets on sorted distances) hands these over.
 * </ul>
 *
 * <p>Optionally each row names the anchor that owns it, for per-anchor reduction, and a
 * boolean mask says what the loss selected when its terms do not show it (a per-anchor loss whose
 * anchors without a selected pair still hold a zero term): {@link #selectedCount()} is what a
 * loss reports as its selection (see {@code org.metric4j.loss.SelectionStats}).
 */
public final class LossTerms {

    private final NDArray values;
    private final NDArray mask;
    private final NDArray rowSums;
    private final NDArray rowCounts;
    private final NDArray rowPositiveSums;
    private final NDArray rowPositiveCounts;
    private final NDArray rowAnchors;
    private final long numAnchors;
    private final NDArray selection;
    private String name = DEFAULT_NAME;
    private NDArray labels;
    private NDArray divisor;
    private NDArray rowIndices;

    /** The name of a loss's only part (PML's sub-loss name {@value}). */
    public static final String DEFAULT_NAME = "loss";

    private LossTerms(NDArray values, NDArray mask, NDArray rowSums, NDArray rowCounts,
            NDArray rowPositiveSums, NDArray rowPositiveCounts, NDArray rowAnchors, long numAnchors,
            NDArray selection) {
        this.values = values;
        this.mask = mask;
        this.rowSums = rowSums;
        this.rowCounts = rowCounts;
        this.rowPositiveSums = rowPositiveSums;
        this.rowPositiveCounts = rowPositiveCounts;
        this.rowAnchors = rowAnchors;
        this.numAnchors = numAnchors;
        this.selection = selection;
    }

    private LossTerms copy(NDArray newAnchors, long newNumAnchors, NDArray newSelection) {
        LossTerms t = new LossTerms(values, mask, rowSums, rowCounts, rowPositiveSums,
                rowPositiveCounts, newAnchors, newNumAnchors, newSelection);
        t.name = name;
        t.labels = labels;
        t.divisor = divisor;
        t.rowIndices = rowIndices;
        return t;
    }

    /** Every entry of {@code values} is a term. */
    public static LossTerms of(NDArray values) {
        return of(values, null);
    }

    /** The entries of {@code values} where {@code mask} is true are the terms. */
    public static LossTerms of(NDArray values, NDArray mask) {
        if (mask != null && !mask.getShape().equals(values.getShape())) {
            throw new IllegalArgumentException(
                    "mask must have the shape of the loss values " + values.getShape() + ", got "
                            + mask.getShape());
        }
        return new LossTerms(values, mask, null, null, null, null, null, 0, null);
    }

    /**
     * Terms given by row aggregates (all 1-D of the same length R, in the loss dtype; counts may
     * be any numeric dtype).
     *
     * @param sums sum of each row's terms
     * @param counts number of terms of each row
     * @param positiveSums sum of each row's terms that are > 0
     * @param positiveCounts number of each row's terms that are > 0
     */
    public static LossTerms ofRows(
            NDArray sums, NDArray counts, NDArray positiveSums, NDArray positiveCounts) {
        return new LossTerms(null, null, sums, counts, positiveSums, positiveCounts, null, 0, null);
    }

    /**
     * The same terms with the anchor of each row: {@code rowAnchors} (INT64, one per row) holds
     * anchor ids in {@code [0, numAnchors)}.
     */
    public LossTerms withAnchors(NDArray rowAnchors, long numAnchors) {
        return copy(rowAnchors, numAnchors, selection);
    }

    /**
     * The same terms with the mask of what the loss selected (any shape; its true entries are
     * counted by {@link #selectedCount()} instead of the terms).
     */
    public LossTerms withSelection(NDArray selected) {
        return copy(rowAnchors, numAnchors, selected);
    }

    /**
     * The same terms under a sub-loss name (PML's {@code pos_loss}, {@code neg_loss}; default
     * {@value #DEFAULT_NAME}), by which {@link MultipleReducers} picks a reducer.
     */
    public LossTerms withName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be a non-blank sub-loss name, got '" + name + "'");
        }
        LossTerms t = copy(rowAnchors, numAnchors, selection);
        t.name = name;
        return t;
    }

    /**
     * The same terms with the class label of every anchor ({@code labels[i]} is the class of
     * anchor i: of row i, or of the anchor id {@link #rowAnchors()} names), for reducers that
     * weigh terms by class ({@link ClassWeightedReducer}).
     */
    public LossTerms withLabels(NDArray labels) {
        LossTerms t = copy(rowAnchors, numAnchors, selection);
        t.labels = labels;
        return t;
    }

    /**
     * The same terms with the number a {@link DivisorReducer} divides their sum by (a scalar or
     * 1-element array; PML's {@code "divisor"} entry, which MarginLoss, ProxyAnchorLoss and
     * SparseCentersRegularizer supply).
     */
    public LossTerms withDivisor(NDArray divisor) {
        if (divisor.size() != 1) {
            throw new IllegalArgumentException("divisor must hold one number, got shape " + divisor.getShape());
        }
        LossTerms t = copy(rowAnchors, numAnchors, selection);
        t.divisor = divisor;
        return t;
    }

    /**
     * The same terms with the batch indices that each row stands for: {@code rowIndices} is R x k
     * INT64. A term of a 1-D value array is the tuple of its row; a term (r, j) of an R x N array
     * is the tuple of row r followed by j (rows (a, p) and columns n make triplets (a, p, n)).
     * Without them, a term's tuple is its position in the value array. See {@link #elements()}.
     */
    public LossTerms withRowIndices(NDArray rowIndices) {
        if (rowIndices.getShape().dimension() != 2) {
            throw new IllegalArgumentException("rowIndices must be R x k, got shape " + rowIndices.getShape());
        }
        LossTerms t = copy(rowAnchors, numAnchors, selection);
        t.rowIndices = rowIndices;
        return t;
    }

    /** The sub-loss name (default {@value #DEFAULT_NAME}). */
    public String name() {
        return name;
    }

    /** The class of each anchor, or {@code null} when the loss did not give them. */
    public NDArray labels() {
        return labels;
    }

    /** The divisor the loss supplies, or {@code null}. */
    public NDArray divisor() {
        return divisor;
    }

    /**
     * The anchor of each row (R, INT64): {@link #rowAnchors()} when given, else the first column
     * of the {@link #withRowIndices row indices}, else the row number.
     */
    public NDArray anchorOfRows() {
        if (rowAnchors != null) {
            return rowAnchors.toType(DataType.INT64, false);
        }
        if (rowIndices != null) {
            return rowIndices.get(new NDIndex(":, 0")).toType(DataType.INT64, false);
        }
        long rows = values != null ? (values.getShape().dimension() == 0 ? 1 : values.getShape().get(0))
                : rowSums.getShape().get(0);
        NDArray like = values != null ? values : rowSums;
        return like.getManager().arange(rows).toType(DataType.INT64, false).toDevice(like.getDevice(), false);
    }

    /**
     * Every term with its tuple of batch indices (see {@link #withRowIndices}), in row-major
     * order. Needs the values form.
     *
     * @return the terms listed
     * @throws IllegalStateException for terms given as row aggregates
     */
    public ElementLosses elements() {
        if (values == null) {
            throw new IllegalStateException("the terms of '" + name + "' are row aggregates, not values;"
                    + " a reducer that lists terms must say so with needsValues()");
        }
        NDArray v = values.getShape().dimension() == 0 ? values.reshape(1) : values;
        NDArray keep = mask == null ? v.onesLike().toType(DataType.BOOLEAN, false)
                : (values.getShape().dimension() == 0 ? mask.reshape(1) : mask);
        NDArray at = keep.nonzero().toType(DataType.INT64, false);              // K x dims
        NDArray losses = v.get(new NDIndex().addBooleanIndex(keep));
        NDArray tuples = at;
        if (rowIndices != null) {
            NDArray prefix = org.metric4j.math.NDMath.takeRows(rowIndices.toType(DataType.INT64, false),
                    at.get(new NDIndex(":, 0")));
            tuples = at.getShape().get(1) == 1 ? prefix
                    : prefix.concat(at.get(new NDIndex(":, 1:")), 1);
        }
        return new ElementLosses(name, tuples, losses);
    }

    /**
     * How many pairs, triplets or anchors the loss selected: the true entries of the {@link
     * #withSelection selection mask} when there is one, else the number of terms (the true
     * entries of the mask, every value, or the sum of the row counts). Reads one number back
     * from the device.
     */
    public long selectedCount() {
        if (selection != null) {
            return selection.toType(DataType.INT64, false).sum().getLong();
        }
        if (values != null) {
            return mask == null ? values.size() : mask.toType(DataType.INT64, false).sum().getLong();
        }
        return Math.round(rowCounts.toType(DataType.FLOAT64, false).sum().getDouble());
    }

    /** The loss values, or {@code null} in the row-aggregate form. */
    public NDArray values() {
        return values;
    }

    /** The mask of existing terms, or {@code null} when every value is a term. */
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

    /** The dtype of the loss values. */
    public DataType dataType() {
        return values != null ? values.getDataType() : rowSums.getDataType();
    }

    /** Sum of each row's terms (R). */
    public NDArray rowSums() {
        return rowSums != null ? rowSums : NDMath.scoped(() -> perRow(selected(null)));
    }

    /** Number of terms of each row (R), in the loss dtype. */
    public NDArray rowCounts() {
        if (rowCounts != null) {
            return rowCounts.toType(dataType(), false);
        }
        return NDMath.scoped(() -> perRow(mask == null ? values.onesLike() : mask.toType(dataType(), false)));
    }

    /** Sum of each row's terms that are > 0 (R). */
    public NDArray rowPositiveSums() {
        return rowPositiveSums != null ? rowPositiveSums : NDMath.scoped(() -> perRow(selected(values.gt(0.0))));
    }

    /** Number of each row's terms that are > 0 (R), in the loss dtype. */
    public NDArray rowPositiveCounts() {
        if (rowPositiveCounts != null) {
            return rowPositiveCounts.toType(dataType(), false);
        }
        return NDMath.scoped(() -> {
            NDArray positive = values.gt(0.0);
            if (mask != null) {
                positive = positive.logicalAnd(mask);
            }
            return perRow(positive.toType(dataType(), false));
        });
    }

    /** The values with non-terms (and, when {@code extra} is given, entries outside it) set to 0. */
    private NDArray selected(NDArray extra) {
        NDArray keep = mask;
        if (extra != null) {
            keep = keep == null ? extra : keep.logicalAnd(extra);
        }
        return keep == null ? values : NDArrays.where(keep, values, values.zerosLike());
    }

    private static NDArray perRow(NDArray x) {
        if (x.getShape().dimension() <= 1) {
            return x.reshape(-1);
        }
        return x.reshape(x.getShape().get(0), -1).sum(new int[] {1});
    }
}
