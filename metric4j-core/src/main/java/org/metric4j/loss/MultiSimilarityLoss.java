package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Multi-similarity loss (Wang et al. 2019, arXiv:1904.06627), per anchor:
 * \( \frac{1}{\alpha}\log(1 + \sum_p e^{-\alpha(s_{ap} - \lambda)}) + \frac{1}{\beta}\log(1 +
 * \sum_n e^{\beta(s_{an} - \lambda)}) \), mean over anchors (PML's {@code MultiSimilarityLoss}).
 * Pair it with {@link org.metric4j.miner.MultiSimilarityMiner} for the paper's mining step.
 *
 * <p>Defaults: alpha {@value #DEFAULT_ALPHA}, beta {@value #DEFAULT_BETA}, base (lambda) {@value
 * #DEFAULT_BASE}, cosine similarity, no miner, {@link MeanReducer} over anchors.
 */
public final class MultiSimilarityLoss extends PairRelationLoss {

    /** Default alpha. */
    public static final double DEFAULT_ALPHA = 2;
    /** Default beta. */
    public static final double DEFAULT_BETA = 50;
    /** Default base. */
    public static final double DEFAULT_BASE = 0.5;

    private final double alpha;
    private final double beta;
    private final double base;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private MultiSimilarityLoss(Builder b) {
        super("MultiSimilarityLoss", b.distance(), b.miner());
        this.alpha = b.alpha;
        this.beta = b.beta;
        this.base = b.base;
        this.distance = b.distance();
        this.miner = b.miner();
        this.reducer = b.reducer();
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray mat = batch.matrix();
        NDArray pos = NDMath.div(NDMath.logOnePlusSumExp(
                NDMath.mul(distance.margin(mat, base), alpha), batch.positive(), 1), alpha);
        NDArray neg = NDMath.div(NDMath.logOnePlusSumExp(
                NDMath.mul(distance.margin(base, mat), beta), batch.negative(), 1), beta);
        return reduce(reducer, LossTerms.of(pos.add(neg))
                .withSelection(NDMath.anyAlong(batch.positive().logicalOr(batch.negative()), 1)));
    }

    @Override
    public String toString() {
        return "MultiSimilarityLoss(alpha=" + alpha + ", beta=" + beta + ", base=" + base
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link MultiSimilarityLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double alpha = DEFAULT_ALPHA;
        private double beta = DEFAULT_BETA;
        private double base = DEFAULT_BASE;

        private Builder() {
            super(CosineSimilarity.create(), new MeanReducer());
        }

        /** Positive scale alpha (default {@value #DEFAULT_ALPHA}). */
        public Builder optAlpha(double alpha) {
            this.alpha = Inputs.positive("alpha", alpha);
            return this;
        }

        /** Negative scale beta (default {@value #DEFAULT_BETA}). */
        public Builder optBeta(double beta) {
            this.beta = Inputs.positive("beta", beta);
            return this;
        }

        /** Similarity threshold lambda (default {@value #DEFAULT_BASE}). */
        public Builder optBase(double base) {
            this.base = Inputs.finite("base", base);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public MultiSimilarityLoss build() {
            return new MultiSimilarityLoss(this);
        }
    }
}
