package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/**
 * Triplet margin loss (Weinberger and Saul 2009; FaceNet, Schroff et al. 2015,
 * arXiv:1503.03832): \( [d_{ap} - d_{an} + m]_+ \) per triplet, or \( \log(1 + e^{d_{ap} -
 * d_{an} + m}) \) with the smooth form; with {@code swap} (Balntas et al. 2016) \( d_{an} \) is
 * replaced by \( \min(d_{an}, d_{pn}) \). For a similarity the differences flip sign.
 *
 * <p>Triplets: all valid ones (y_a = y_p != y_n, a != p) by default, those of a {@link
 * TripletMiner} when one is set, or explicit rows with {@link #computeExplicit}. All triplets are
 * never listed: the hinge form sums them per positive pair from each anchor's sorted negative
 * distances and their prefix sums ({@link SortedHinge}, O(B^2 log B) time, O(B^2) memory); the
 * smooth and swap forms evaluate each positive pair against every negative on the B x B matrix
 * (O(P x B) memory for P positive pairs).
 *
 * <p>Against a separate reference set or under an explicit relation ({@link ReferenceSetLoss}),
 * anchors are the queries and positives and negatives the references.
 *
 * <p>Defaults (PML's {@code TripletMarginLoss}): margin {@value #DEFAULT_MARGIN}, no swap, hinge
 * form, L2 on normalized embeddings, {@link AvgNonZeroReducer}.
 */
public final class TripletMarginLoss extends MetricLoss implements ReferenceSetLoss {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 0.05;

    private final double margin;
    private final boolean swap;
    private final boolean smooth;
    private final Distance distance;
    private final TripletMiner miner;
    private final Reducer reducer;

    private TripletMarginLoss(Builder b) {
        super("TripletMarginLoss");
        this.margin = b.margin;
        this.swap = b.swap;
        this.smooth = b.smooth;
        this.distance = b.distance();
        this.miner = b.miner();
        this.reducer = b.reducer();
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        if (miner != null) {
            return computeTriplets(embeddings, embeddings, miner.mine(embeddings, y), y);
        }
        return fromRelation(embeddings, embeddings, PairRelation.ofLabels(y), y);
    }

    /**
     * {@inheritDoc} Triplets (query a, reference p, reference n) with y_p = y_a != y_n, or those
     * of the miner run on the queries against the references. With {@code swap}, d_pn is measured
     * between the two references (PML indexes its B x M matrix by p there, a query row).
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray yRef = Inputs.labels("refLabels", refLabels, m);
        if (miner != null) {
            return computeTriplets(embeddings, refEmbeddings, miner.mine(embeddings, y, refEmbeddings, yRef), y);
        }
        return fromRelation(embeddings, refEmbeddings, PairRelation.of(y, yRef), y);
    }

    /** {@inheritDoc} Triplets (a, p, n) with (a, p) positive and (a, n) negative in the relation. */
    @Override
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        relation.check(b, m);
        if (miner != null) {
            return computeTriplets(embeddings, refEmbeddings, miner.mine(embeddings, refEmbeddings, relation), null);
        }
        return fromRelation(embeddings, refEmbeddings, relation, null);
    }

    /** Every triplet of the relation; {@code labels} (or null) go to the reducer. */
    private NDArray fromRelation(NDArray embeddings, NDArray refs, PairRelation relation, NDArray labels) {
        long b = relation.queries();
        NDArray mat = matrix(embeddings, refs);
        NDArray pairs = relation.positive().nonzero().toType(DataType.INT64, false);
        if (pairs.getShape().get(0) == 0) {
            return nothingSelected(mat);
        }
        NDArray a = pairs.get(new NDIndex(":, 0"));
        NDArray p = pairs.get(new NDIndex(":, 1"));
        if (!smooth && !swap && !reducer.needsValues()) {
            LossTerms terms = SortedHinge.terms(
                    distance.isInverted() ? mat.neg() : mat, relation.negative(), a, p, margin);
            return reduce(reducer, labels == null ? terms : terms.withLabels(labels));
        }
        NDArray ap = NDMath.takePairs(mat, a, p).reshape(-1, 1);
        NDArray an = NDMath.takeRows(mat, a);
        if (swap) {
            NDArray pn = NDMath.takeRows(embeddings == refs ? mat : distance.matrix(refs), p);
            an = distance.isInverted() ? an.maximum(pn) : an.minimum(pn);
        }
        NDArray losses = hinge(distance.margin(ap, an));
        NDArray valid = NDMath.takeRows(relation.negative(), a);
        LossTerms terms = LossTerms.of(losses, valid).withAnchors(a, b).withRowIndices(pairs);
        return reduce(reducer, labels == null ? terms : terms.withLabels(labels));
    }

    private NDArray matrix(NDArray embeddings, NDArray refs) {
        return embeddings == refs ? distance.matrix(embeddings) : distance.matrix(embeddings, refs);
    }

    /**
     * The loss of mined or given triplets of a batch.
     *
     * @param embeddings B x D embeddings
     * @param triplets indices into the batch
     * @return the loss
     */
    public NDArray compute(NDArray embeddings, TripletIndices triplets) {
        Inputs.embeddings("embeddings", embeddings);
        return computeTriplets(embeddings, embeddings, triplets, null);
    }

    /**
     * The loss of given triplets of queries against references: anchors index the queries,
     * positives and negatives the references.
     *
     * @param embeddings B x D queries
     * @param refEmbeddings M x D references
     * @param triplets the triplets
     * @return the loss
     */
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, TripletIndices triplets) {
        Inputs.embeddings("embeddings", embeddings);
        Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        return computeTriplets(embeddings, refEmbeddings, triplets, null);
    }

    /** The loss of the triplets; {@code labels} (or null) go to the reducer. */
    private NDArray computeTriplets(NDArray embeddings, NDArray refs, TripletIndices triplets, NDArray labels) {
        long b = embeddings.getShape().get(0);
        NDArray mat = matrix(embeddings, refs);
        if (triplets.size() == 0) {
            return nothingSelected(mat);
        }
        NDArray a = triplets.anchors();
        NDArray ap = NDMath.takePairs(mat, a, triplets.positives());
        NDArray an = NDMath.takePairs(mat, a, triplets.negatives());
        if (swap) {
            NDArray pn = NDMath.takePairs(embeddings == refs ? mat : distance.matrix(refs), triplets.positives(),
                    triplets.negatives());
            an = distance.isInverted() ? an.maximum(pn) : an.minimum(pn);
        }
        NDArray losses = hinge(distance.margin(ap, an));
        LossTerms terms = LossTerms.of(losses).withAnchors(a, b).withRowIndices(NDArrays.stack(
                new NDList(a, triplets.positives(), triplets.negatives()), 1).toType(DataType.INT64, false));
        return reduce(reducer, labels == null ? terms : terms.withLabels(labels));
    }

    /**
     * The loss of explicit triplet rows: anchor i, positive i and negative i form triplet i.
     *
     * @param anchor N x D
     * @param positive N x D
     * @param negative N x D
     * @return the loss
     */
    public NDArray computeExplicit(NDArray anchor, NDArray positive, NDArray negative) {
        long n = Inputs.embeddings("anchor", anchor);
        Inputs.embeddings("positive", positive);
        Inputs.embeddings("negative", negative);
        Inputs.sameShape("anchor", anchor, "positive", positive);
        Inputs.sameShape("anchor", anchor, "negative", negative);
        NDArray ap = rowwise(anchor, positive);
        NDArray an = rowwise(anchor, negative);
        if (swap) {
            NDArray pn = rowwise(positive, negative);
            an = distance.isInverted() ? an.maximum(pn) : an.minimum(pn);
        }
        NDArray losses = hinge(distance.margin(ap, an));
        NDArray rows = anchor.getManager().arange(n).toType(DataType.INT64, false).toDevice(anchor.getDevice(), false);
        return reduce(reducer, LossTerms.of(losses).withAnchors(rows, n));
    }

    /** Row i of x against row i of y under the distance (diagonal of the matrix, computed directly). */
    private NDArray rowwise(NDArray x, NDArray y) {
        if (!distance.isInverted()) {
            return ((LpDistance) distance).rowwise(x, y);
        }
        return distance.maybeNormalize(x).mul(distance.maybeNormalize(y)).sum(new int[] {1});
    }

    private NDArray hinge(NDArray currentMargin) {
        NDArray violation = currentMargin.add(margin);
        return smooth ? NDMath.softplus(violation) : NDMath.relu(violation);
    }

    @Override
    public String toString() {
        return "TripletMarginLoss(margin=" + margin + ", swap=" + swap + ", smooth=" + smooth
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link TripletMarginLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<TripletMiner, Builder> {
        private double margin = DEFAULT_MARGIN;
        private boolean swap;
        private boolean smooth;

        private Builder() {
            super(LpDistance.euclidean(), new AvgNonZeroReducer());
        }

        /** The margin m (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** Use min(d_an, d_pn) as the negative distance (default: d_an only). */
        public Builder optSwap() {
            this.swap = true;
            return this;
        }

        /** Use softplus instead of the hinge (default: the hinge). */
        public Builder optSmoothLoss() {
            this.smooth = true;
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public TripletMarginLoss build() {
            if (!(distance() instanceof LpDistance) && !distance().isInverted()) {
                throw new IllegalArgumentException(
                        "distance must be an LpDistance or a similarity, got " + distance());
            }
            return new TripletMarginLoss(this);
        }
    }
}
