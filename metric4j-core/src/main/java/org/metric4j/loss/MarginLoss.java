package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.LossTerms;

/**
 * Margin loss (Wu, Manmatha, Smola and Krähenbühl 2017, "Sampling Matters in Deep Embedding
 * Learning", arXiv:1706.07567): per triplet (a, p, n) with boundary \( \beta \) and margin m,
 * \( [d_{ap} - \beta + m]_+ + [\beta - d_{an} + m]_+ \), summed over the triplets and divided by
 * the number of positive hinge parts (PML's {@code DivisorReducer}). With a learnable \( \beta \)
 * ({@link #compute(NDArray, NDArray, NDArray)}: one entry, or one per class with the anchor's
 * class choosing it) the regularizer \( \nu \beta \) is added: as is for a single \( \beta \), as
 * the sum over triplets of \( \nu \beta_{y_a} \) over the same divisor for per-class ones (PML's
 * {@code beta_reg_loss}). With a similarity the hinge parts flip sign.
 *
 * <p>Triplets: all valid ones (PML's {@code triplets_per_anchor="all"}), never listed: a positive
 * pair's part repeats for each negative of its anchor and a negative pair's for each positive, so
 * both are weighted sums on the B x B matrix (O(B^2) memory); or those of a {@link TripletMiner}.
 * A batch without a triplet gives a zero loss connected to the graph; a divisor of 0 gives 0.
 *
 * <p>Defaults (PML's {@code MarginLoss}): margin {@value #DEFAULT_MARGIN}, nu {@value
 * #DEFAULT_NU}, beta {@value #DEFAULT_BETA}, L2 on normalized embeddings, no miner.
 */
public final class MarginLoss extends MetricLoss implements ReferenceSetLoss {

    /** Default margin m. */
    public static final double DEFAULT_MARGIN = 0.2;
    /** Default weight nu of the beta regularizer. */
    public static final double DEFAULT_NU = 0;
    /** Default boundary beta (and PML's initial value of a learnable one). */
    public static final double DEFAULT_BETA = 1.2;

    private final double margin;
    private final double nu;
    private final double beta;
    private final Distance distance;
    private final TripletMiner miner;

    private MarginLoss(Builder b) {
        super("MarginLoss");
        this.margin = b.margin;
        this.nu = b.nu;
        this.beta = b.beta;
        this.distance = b.distance();
        this.miner = b.miner();
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The fixed boundary beta of {@link #compute(NDArray, NDArray)}. */
    public double beta() {
        return beta;
    }

    /**
     * Predictions [B x D embeddings] use the fixed beta; [embeddings, beta] the learnable one (see
     * {@link #compute(NDArray, NDArray, NDArray)}).
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions != null && predictions.size() > 1) {
            if (labels == null || labels.isEmpty()) {
                throw new IllegalArgumentException(getName() + ": labels must hold the B class ids, got none");
            }
            return compute(predictions.get(0), labels.head(), predictions.get(1));
        }
        return super.evaluate(labels, predictions);
    }

    /** The loss with the fixed beta of the builder (no regularizer: PML's {@code learn_beta=False}). */
    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        return compute(embeddings, labels, (NDArray) null);
    }

    /**
     * The loss with a learnable beta (PML's {@code learn_beta=True}), the regularizer included.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids (in [0, C) for per-class betas)
     * @param betas 1 entry, or C entries with beta[c] the boundary of anchors of class c (the
     *     gradient flows into it); null for the builder's fixed beta without regularizer
     * @return the loss, a scalar of the embeddings' dtype
     */
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray betas) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        if (betas != null) {
            checkBetas(betas, y);
        }
        NDArray mat = distance.matrix(embeddings);
        if (miner != null) {
            return mined(mat, y, betas, miner.mine(embeddings, y));
        }
        return fromRelation(mat, PairRelation.ofLabels(y), y, betas);
    }

    /**
     * {@inheritDoc} With the builder's fixed beta; anchors are the queries, positives and
     * negatives the references (the miner, if any, mines the references).
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return compute(embeddings, labels, refEmbeddings, refLabels, null);
    }

    /**
     * The loss of queries against a labelled reference set with a learnable beta (PML's {@code
     * learn_beta=True} with {@code ref_emb}): per-class betas follow the anchor's (the query's)
     * class.
     *
     * @param embeddings B x D queries
     * @param labels B query class ids (in [0, C) for per-class betas)
     * @param refEmbeddings M x D references
     * @param refLabels M reference class ids
     * @param betas 1 or C entries, or null for the builder's fixed beta without regularizer
     * @return the loss, a scalar of the embeddings' dtype
     */
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels,
            NDArray betas) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray yRef = Inputs.labels("refLabels", refLabels, m);
        if (betas != null) {
            checkBetas(betas, y);
        }
        NDArray mat = distance.matrix(embeddings, refEmbeddings);
        if (miner != null) {
            return mined(mat, y, betas, miner.mine(embeddings, y, refEmbeddings, yRef));
        }
        return fromRelation(mat, PairRelation.of(y, yRef), y, betas);
    }

    /** {@inheritDoc} With the builder's fixed beta. */
    @Override
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        relation.check(b, m);
        NDArray mat = embeddings == refEmbeddings ? distance.matrix(embeddings)
                : distance.matrix(embeddings, refEmbeddings);
        if (miner != null) {
            return mined(mat, null, null, miner.mine(embeddings, refEmbeddings, relation));
        }
        return fromRelation(mat, relation, null, null);
    }

    /** Every triplet of the relation, weighted per pair; {@code y} (or null) only for per-class betas. */
    private NDArray fromRelation(NDArray mat, PairRelation masks, NDArray y, NDArray betas) {
        long b = mat.getShape().get(0);
        NDArray posF = NDMath.asFloat(masks.positive(), mat);
        NDArray negF = NDMath.asFloat(masks.negative(), mat);
        int[] row = {1};
        NDArray nPos = posF.sum(row, true);
        NDArray nNeg = negF.sum(row, true);
        NDArray triplets = nPos.mul(nNeg).reshape(-1);
        if (NDMath.count(triplets.gt(0.0)) == 0) {
            return nothingSelected(zeroWith(mat, betas));
        }
        NDArray rowBeta = rowBeta(mat, y, betas, b);
        NDArray pos = NDMath.relu(margin(mat, rowBeta, true));
        NDArray neg = NDMath.relu(margin(mat, rowBeta, false));
        // a positive pair's part counts once per negative of its anchor, a negative's once per positive
        NDArray posW = posF.mul(nNeg);
        NDArray negW = negF.mul(nPos);
        NDArray sums = pos.mul(posW).add(neg.mul(negW)).sum(row);
        NDArray divisor = NDMath.asFloat(pos.gt(0.0), mat).mul(posW)
                .add(NDMath.asFloat(neg.gt(0.0), mat).mul(negW)).sum(row);
        return finish(sums, triplets, divisor, rowBeta.reshape(-1), betas, y, b);
    }

    private NDArray mined(NDArray mat, NDArray y, NDArray betas, TripletIndices t) {
        if (t.size() == 0) {
            return nothingSelected(zeroWith(mat, betas));
        }
        NDArray a = t.anchors();
        NDArray ap = NDMath.takePairs(mat, a, t.positives());
        NDArray an = NDMath.takePairs(mat, a, t.negatives());
        NDArray tripletBeta = rowBeta(mat, betas == null ? null : NDMath.takeRows(y, a), betas, t.size()).reshape(-1);
        NDArray pos = NDMath.relu(margin(ap, tripletBeta, true));
        NDArray neg = NDMath.relu(margin(an, tripletBeta, false));
        NDArray divisor = NDMath.asFloat(pos.gt(0.0), pos).add(NDMath.asFloat(neg.gt(0.0), neg));
        return finish(pos.add(neg), pos.onesLike(), divisor, tripletBeta, betas, y, mat.getShape().get(0));
    }

    /** The hinge part before its ReLU: \( d - \beta + m \) (positive) or \( \beta - d + m \). */
    private NDArray margin(NDArray d, NDArray rowBeta, boolean positive) {
        NDArray m = positive ? distance.margin(d, rowBeta) : distance.margin(rowBeta, d);
        return m.add(margin);
    }

    /** Per row (B x 1, or per triplet) the beta of its anchor. */
    private NDArray rowBeta(NDArray like, NDArray rowLabels, NDArray betas, long rows) {
        if (betas == null) {
            return NDMath.constant(like, beta).reshape(1, 1);
        }
        NDArray bt = betas.reshape(-1);
        if (bt.size() == 1) {
            return bt.reshape(1, 1);
        }
        return NDMath.takeRows(bt, rowLabels).reshape(rows, 1);
    }

    /**
     * Margin part over the divisor (0 when it is 0), plus the regularizer of a learnable beta.
     *
     * @param sums per row, the sum of its triplets' hinge parts
     * @param counts per row, its number of triplets
     * @param divisor per row, its number of positive hinge parts
     */
    private NDArray finish(NDArray sums, NDArray counts, NDArray divisor, NDArray beta1d,
            NDArray betas, NDArray y, long b) {
        // PML's DivisorReducer as row aggregates: sum of the (non-negative) terms / positive parts
        LossTerms terms = LossTerms.ofRows(sums, counts, sums, divisor);
        NDArray loss = reduce(new AvgNonZeroReducer(), terms);
        if (betas == null) {
            return loss;
        }
        NDArray reg;
        if (betas.size() == 1) {
            reg = NDMath.mul(betas.reshape(-1).sum(), nu);
        } else {
            NDArray total = NDMath.total(divisor);
            NDArray weighted = NDMath.total(beta1d.broadcast(counts.getShape()).mul(counts));
            NDArray perDivisor = NDMath.mul(weighted, nu).div(NDMath.maximum(total, 1.0));
            reg = NDMath.scalar(NDArrays.where(total.gt(0.0), perDivisor, perDivisor.zerosLike()));
        }
        return loss.add(reg.reshape(loss.getShape()));
    }

    private static NDArray zeroWith(NDArray mat, NDArray betas) {
        return betas == null ? mat : mat.sum().add(betas.sum());
    }

    private static void checkBetas(NDArray betas, NDArray y) {
        if (betas.getShape().dimension() > 1 || !betas.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    "beta must be a floating 1-D array of 1 or C entries, got " + betas.getDataType()
                            + " of shape " + betas.getShape());
        }
        long c = betas.size();
        if (c > 1) {
            Inputs.classLabels("labels", y, y.size(), c);
        } else if (c == 0) {
            throw new IllegalArgumentException("beta must have 1 or C entries, got 0");
        }
    }

    @Override
    public String toString() {
        return "MarginLoss(margin=" + margin + ", nu=" + nu + ", beta=" + beta + ", distance="
                + distance + ", miner=" + miner + ")";
    }

    /**
     * Builder of {@link MarginLoss}; distance and triplet miner from {@link PairLossBuilder}. The
     * reduction is the loss's own (PML's {@code DivisorReducer}): a reducer set here is refused.
     */
    public static final class Builder extends PairLossBuilder<TripletMiner, Builder> {
        private double margin = DEFAULT_MARGIN;
        private double nu = DEFAULT_NU;
        private double beta = DEFAULT_BETA;

        private Builder() {
            super(LpDistance.euclidean(), new AvgNonZeroReducer());
        }

        /** The margin m, >= 0 (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** Weight nu of the learnable beta's regularizer, >= 0 (default {@value #DEFAULT_NU}). */
        public Builder optNu(double nu) {
            this.nu = Inputs.nonNegative("nu", nu);
            return this;
        }

        /** The fixed boundary beta, finite (default {@value #DEFAULT_BETA}). */
        public Builder optBeta(double beta) {
            this.beta = Inputs.finite("beta", beta);
            return this;
        }

        /** Refused: the margin loss divides by its number of positive hinge parts. */
        @Override
        public Builder optReducer(org.metric4j.reducer.Reducer reducer) {
            throw new IllegalArgumentException(
                    "reducer must be the margin loss's own divisor reduction, got " + reducer);
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public MarginLoss build() {
            return new MarginLoss(this);
        }
    }
}
