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
 * Intra-pair variance loss (Yu and Tao 2019, "Deep Metric Learning with Tuplet Margin Loss",
 * ICCV): pulls each pair's similarity toward its kind's mean. With \( \mu^+ \), \( \mu^- \) the
 * means of the positive and negative pair similarities (with gradient), per positive pair
 * \( [(1 - \epsilon^+)\mu^+ - s]_+^2 \) and per negative pair \( [s - (1 + \epsilon^-)\mu^-]_+^2
 * \), each part reduced on its own (default: mean over all its pairs) and the two added. With a
 * distance the directions flip: \( [d - (1 + \epsilon^+)\mu^+]_+^2 \), \( [(1 -
 * \epsilon^-)\mu^- - d]_+^2 \). A part without pairs gives 0.
 *
 * <p>Defaults (PML's {@code IntraPairVarianceLoss}): pos eps {@value #DEFAULT_POS_EPS}, neg eps
 * {@value #DEFAULT_NEG_EPS}, cosine similarity, {@link MeanReducer}, no miner.
 */
public final class IntraPairVarianceLoss extends PairRelationLoss {

    /** Default epsilon of the positive pairs. */
    public static final double DEFAULT_POS_EPS = 0.01;
    /** Default epsilon of the negative pairs. */
    public static final double DEFAULT_NEG_EPS = 0.01;

    private final double posEps;
    private final double negEps;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private IntraPairVarianceLoss(Builder b) {
        super("IntraPairVarianceLoss", b.distance(), b.miner());
        this.posEps = b.posEps;
        this.negEps = b.negEps;
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
        boolean inverted = distance.isInverted();
        NDArray pos = deviation(mat, batch.positive(), posEps, inverted);
        NDArray neg = deviation(mat, batch.negative(), negEps, !inverted);
        return reduce(reducer, LossTerms.of(pos, batch.positive()), LossTerms.of(neg, batch.negative()));
    }

    /**
     * \( [(1 - \epsilon)\mu - x]_+^2 \) where a larger value is wanted, else
     * \( [x - (1 + \epsilon)\mu]_+^2 \), with \( \mu \) the mean of the masked entries.
     */
    private static NDArray deviation(NDArray mat, NDArray mask, double eps, boolean increase) {
        NDArray m = NDMath.asFloat(mask, mat);
        NDArray mean = NDMath.total(mat.mul(m)).div(NDMath.maximum(NDMath.total(m), 1.0));
        NDArray gap = increase ? NDMath.mul(mean, 1 - eps).sub(mat) : mat.sub(NDMath.mul(mean, 1 + eps));
        return NDMath.relu(gap).square();
    }

    @Override
    public String toString() {
        return "IntraPairVarianceLoss(posEps=" + posEps + ", negEps=" + negEps + ", distance="
                + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link IntraPairVarianceLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double posEps = DEFAULT_POS_EPS;
        private double negEps = DEFAULT_NEG_EPS;

        private Builder() {
            super(CosineSimilarity.create(), new MeanReducer());
        }

        /** Relative slack of the positive pairs, >= 0 (default {@value #DEFAULT_POS_EPS}). */
        public Builder optPosEps(double posEps) {
            this.posEps = Inputs.nonNegative("posEps", posEps);
            return this;
        }

        /** Relative slack of the negative pairs, >= 0 (default {@value #DEFAULT_NEG_EPS}). */
        public Builder optNegEps(double negEps) {
            this.negEps = Inputs.nonNegative("negEps", negEps);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public IntraPairVarianceLoss build() {
            return new IntraPairVarianceLoss(this);
        }
    }
}
