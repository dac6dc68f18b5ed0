package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/**
 * Circle loss, pair form (Sun et al. 2020, arXiv:2002.10857), per anchor:
 * \( \mathrm{softplus}(\log\sum_n e^{\gamma \alpha_n (s_n - \Delta_n)} + \log\sum_p e^{-\gamma
 * \alpha_p (s_p - \Delta_p)}) \) with \( \alpha_p = [1 + m - s_p]_+ \), \( \alpha_n = [s_n +
 * m]_+ \) (no gradient through the alphas), \( \Delta_p = 1 - m \), \( \Delta_n = m \); mean
 * over the non-zero anchors (PML's {@code CircleLoss}).
 *
 * <p>Defaults: m {@value #DEFAULT_M}, gamma {@value #DEFAULT_GAMMA}, cosine similarity, no
 * miner, {@link AvgNonZeroReducer} over anchors.
 */
public final class CircleLoss extends PairRelationLoss {

    /** Default relaxation m. */
    public static final double DEFAULT_M = 0.4;
    /** Default scale gamma. */
    public static final double DEFAULT_GAMMA = 80;

    private final double m;
    private final double gamma;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private CircleLoss(Builder b) {
        super("CircleLoss", b.distance(), b.miner());
        this.m = b.m;
        this.gamma = b.gamma;
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
        NDArray s = batch.matrix();
        NDArray fixed = s.stopGradient();
        NDArray alphaP = NDMath.relu(fixed.neg().add(1 + m));
        NDArray alphaN = NDMath.relu(fixed.add(m));
        NDArray logitP = NDMath.mul(alphaP.mul(s.sub(1 - m)), -gamma);
        NDArray logitN = NDMath.mul(alphaN.mul(s.sub(m)), gamma);
        NDArray lseP = NDMath.logSumExp(logitP, batch.positive(), 1);
        NDArray lseN = NDMath.logSumExp(logitN, batch.negative(), 1);
        NDArray valid = NDMath.anyAlong(batch.positive(), 1)
                .logicalAnd(NDMath.anyAlong(batch.negative(), 1));
        NDArray losses = NDMath.softplus(lseP.add(lseN).reshape(-1));
        losses = losses.mul(NDMath.asFloat(valid, losses));
        return reduce(reducer, LossTerms.of(losses).withSelection(valid));
    }

    @Override
    public String toString() {
        return "CircleLoss(m=" + m + ", gamma=" + gamma + ", distance=" + distance + ", miner="
                + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link CircleLoss}; distance (a similarity), miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double m = DEFAULT_M;
        private double gamma = DEFAULT_GAMMA;

        private Builder() {
            super(CosineSimilarity.create(), new AvgNonZeroReducer());
        }

        /** Relaxation m (default {@value #DEFAULT_M}). */
        public Builder optM(double m) {
            this.m = Inputs.finite("m", m);
            return this;
        }

        /** Scale gamma (default {@value #DEFAULT_GAMMA}). */
        public Builder optGamma(double gamma) {
            this.gamma = Inputs.positive("gamma", gamma);
            return this;
        }

        @Override
        Distance checkDistance(Distance distance) {
            if (!distance.isInverted()) {
                throw new IllegalArgumentException(
                        "distance must be a similarity for CircleLoss, got " + distance);
            }
            return distance;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public CircleLoss build() {
            return new CircleLoss(this);
        }
    }
}
