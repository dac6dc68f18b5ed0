package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Which (query, reference) pairs are positive and which are negative: two B x M boolean masks
 * over the B x M matrix of B queries against M references, the one input every pair and tuple
 * loss and every miner reads instead of labels (PML's {@code indices_tuple} of all pairs).
 *
 * <ul>
 *   <li>{@link #ofLabels}: a batch against itself (B x B), the pair of an item with itself
 *       excluded; PML's {@code get_all_pairs_indices(labels)}.
 *   <li>{@link #of(NDArray, NDArray)}: queries against a separate reference set (B x M) with its
 *       own labels, nothing excluded; PML's {@code get_all_pairs_indices(labels, ref_labels)}.
 *   <li>{@link #ofMatrix}: an explicit B x M int relation, 1 positive, -1 negative, 0 ignored,
 *       for data a class id cannot describe (multi-label items, pairs known only as same / not
 *       same, pairs to leave out).
 * </ul>
 *
 * A relation is narrowed by mined pairs ({@link #narrow}) or triplets ({@link
 * #narrowToTriplets}), and self-comparisons at given reference rows are removed with {@link
 * #withoutSelf} (a batch written into a memory bank meets itself there).
 */
public final class PairRelation {

    private final NDArray positive;
    private final NDArray negative;

    private PairRelation(NDArray positive, NDArray negative) {
        this.positive = positive;
        this.negative = negative;
    }

    /**
     * The relation of a labelled batch with itself: same label is positive (diagonal excluded),
     * different label negative.
     *
     * @param labels B class ids (integer, or integral floats)
     * @return the B x B relation
     */
    public static PairRelation ofLabels(NDArray labels) {
        NDArray y = Inputs.labels("labels", labels, length("labels", labels));
        PairMasks masks = PairMasks.of(y);
        return new PairRelation(masks.positive(), masks.negative());
    }

    /**
     * The relation of queries with a separate reference set: same label is positive, different
     * label negative, nothing excluded.
     *
     * @param queryLabels B class ids
     * @param referenceLabels M class ids
     * @return the B x M relation
     */
    public static PairRelation of(NDArray queryLabels, NDArray referenceLabels) {
        NDArray y = Inputs.labels("labels", queryLabels, length("labels", queryLabels));
        NDArray r = Inputs.labels("refLabels", referenceLabels, length("refLabels", referenceLabels));
        PairMasks masks = PairMasks.of(y, r);
        return new PairRelation(masks.positive(), masks.negative());
    }

    /**
     * An explicit relation: {@code relation[i][j]} is 1 when query i and reference j are a
     * positive pair, -1 when they are a negative pair, 0 when the pair is ignored.
     *
     * @param relation B x M integer array with values in {-1, 0, 1}
     * @return the relation
     * @throws IllegalArgumentException when the array is not 2-D, not integer or holds another
     *     value
     */
    public static PairRelation ofMatrix(NDArray relation) {
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a B x M integer array, got null");
        }
        if (relation.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "relation must be a 2-D array (B x M), got shape " + relation.getShape());
        }
        if (!relation.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    "relation must be an integer array of 1, 0, -1, got " + relation.getDataType());
        }
        NDArray r = relation.toType(DataType.INT64, false);
        NDArray pos = r.eq(1);
        NDArray neg = r.eq(-1);
        NDArray bad = pos.logicalOr(neg).logicalOr(r.eq(0)).logicalNot();
        if (bad.any().getBoolean()) {
            long at = bad.flatten().toType(DataType.INT32, false).argMax().getLong();
            long cols = relation.getShape().get(1);
            throw new IllegalArgumentException("relation must hold only 1 (positive), -1 (negative) and 0"
                    + " (ignored), got " + r.flatten().getLong(at) + " at [" + at / cols + ", " + at % cols + "]");
        }
        return new PairRelation(pos, neg);
    }

    /**
     * A relation from two boolean masks of the same B x M shape (a pair in both is refused).
     *
     * @param positive B x M positive pairs
     * @param negative B x M negative pairs
     * @return the relation
     */
    public static PairRelation ofMasks(NDArray positive, NDArray negative) {
        if (positive == null || negative == null || positive.getShape().dimension() != 2) {
            throw new IllegalArgumentException("positive and negative must be B x M boolean masks, got "
                    + (positive == null ? null : positive.getShape()) + " and "
                    + (negative == null ? null : negative.getShape()));
        }
        Inputs.sameShape("positive", positive, "negative", negative);
        NDArray p = positive.toType(DataType.BOOLEAN, false);
        NDArray n = negative.toType(DataType.BOOLEAN, false);
        if (p.logicalAnd(n).any().getBoolean()) {
            throw new IllegalArgumentException("positive and negative must not share a pair, got an overlap");
        }
        return new PairRelation(p, n);
    }

    private static long length(String name, NDArray labels) {
        if (labels == null || labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException(name + " must be a 1-D array of class ids, got "
                    + (labels == null ? "null" : "shape " + labels.getShape()));
        }
        return labels.getShape().get(0);
    }

    /** Boolean B x M mask of the positive pairs. */
    public NDArray positive() {
        return positive;
    }

    /** Boolean B x M mask of the negative pairs. */
    public NDArray negative() {
        return negative;
    }

    /** The shape B x M. */
    public Shape shape() {
        return positive.getShape();
    }

    /** B, the number of queries. */
    public long queries() {
        return positive.getShape().get(0);
    }

    /** M, the number of references. */
    public long references() {
        return positive.getShape().get(1);
    }

    /**
     * Checks that this relation is {@code b x m}.
     *
     * @throws IllegalArgumentException naming the shapes otherwise
     */
    public PairRelation check(long b, long m) {
        if (queries() != b || references() != m) {
            throw new IllegalArgumentException("relation must be " + b + " x " + m
                    + " (queries x references), got shape " + shape());
        }
        return this;
    }

    /**
     * The pairs of this relation that are also in the given masks (mined pairs), PML's {@code
     * indices_tuple} of a pair miner.
     *
     * @param minedPositive B x M boolean mask of mined positive pairs
     * @param minedNegative B x M boolean mask of mined negative pairs
     * @return the narrowed relation
     */
    public PairRelation narrow(NDArray minedPositive, NDArray minedNegative) {
        if (!minedPositive.getShape().equals(shape()) || !minedNegative.getShape().equals(shape())) {
            throw new IllegalArgumentException("mined masks must have the relation's shape " + shape() + ", got "
                    + minedPositive.getShape() + " and " + minedNegative.getShape());
        }
        return new PairRelation(positive.logicalAnd(minedPositive.toType(DataType.BOOLEAN, false)),
                negative.logicalAnd(minedNegative.toType(DataType.BOOLEAN, false)));
    }

    /**
     * The pairs of this relation that appear in the triplets: (a, p) as positive and (a, n) as
     * negative pairs (PML's {@code convert_to_pairs}).
     *
     * @param anchors query rows (INT64)
     * @param positives reference rows of the positives
     * @param negatives reference rows of the negatives
     * @return the narrowed relation
     */
    public PairRelation narrowToTriplets(NDArray anchors, NDArray positives, NDArray negatives) {
        return narrow(pairMask(anchors, positives), pairMask(anchors, negatives));
    }

    private NDArray pairMask(NDArray rows, NDArray cols) {
        long m = references();
        NDArray flat = positive.getManager().zeros(new Shape(queries() * m), DataType.INT32)
                .toDevice(positive.getDevice(), false);
        if (rows.size() > 0) {
            NDArray at = rows.toType(DataType.INT64, false).mul(m).add(cols.toType(DataType.INT64, false));
            flat.set(new NDIndex("{}", at), 1);
        }
        return flat.reshape(queries(), m).eq(1);
    }

    /**
     * This relation without the positive pair of query i with reference row {@code rows[i]} (its
     * own copy in a memory bank); a negative row means none. Negative pairs are unchanged, as in
     * PML's {@code remove_self_comparisons}.
     *
     * @param rows B reference rows (INT64), -1 for none
     * @return the relation without those positives
     */
    public PairRelation withoutSelf(NDArray rows) {
        if (rows.getShape().dimension() != 1 || rows.getShape().get(0) != queries()) {
            throw new IllegalArgumentException(
                    "rows must be a 1-D array of " + queries() + " reference rows, got shape " + rows.getShape());
        }
        NDArray kept = NDMath.scoped(() -> {
            NDArray cols = positive.getManager().arange(references()).toType(DataType.INT64, false)
                    .toDevice(positive.getDevice(), false);
            NDArray self = rows.toType(DataType.INT64, false).reshape(-1, 1).eq(cols.reshape(1, -1));
            return positive.logicalAnd(self.logicalNot());
        });
        return new PairRelation(kept, negative);
    }

    @Override
    public String toString() {
        return "PairRelation(" + queries() + " x " + references() + ")";
    }
}
