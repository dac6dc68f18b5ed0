package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Tuplet margin loss (Yu and Tao 2019, arXiv:1908.02256), per positive pair (a, p) with angle
 * \( \theta_{ap} = \arccos s_{ap} \):
 * \( \log(1 + \sum_{n: y_n \ne y_a} e^{s (s_{an} - \cos(\theta_{ap} - m))}) \), mean over the
 * positive pairs (PML's {@code TupletMarginLoss}). An anchor without a negative gives its pairs 0;
 * a batch without any positive or negative pair gives 0.
 *
 * <p>Defaults (PML's): margin m {@value #DEFAULT_MARGIN} radians (PML's 5.73 degrees), scale s
 * {@value #DEFAULT_SCALE}, cosine similarity (the only one accepted), no miner, {@link
 * MeanReducer} over positive pairs.
 *
 * <p>Numerics: \( \cos(\theta - m) \) is computed as \( s \cos m + \sqrt{1 - s^2} \sin m \) with
 * s clamped to [-1, 1] and a square root whose gradient is 0 at 0, so identical rows (s = 1) give
 * a finite value and gradient where PML's unclamped {@code acos} gives NaN; elsewhere the two
 * agree. The sum over negatives is a masked logsumexp per anchor.
 */
public final class TupletMarginLoss extends PairRelationLoss {

    /** Default margin in radians: PML's 5.73 degrees. */
    public static final double DEFAULT_MARGIN = 5.73 * Math.PI / 180;
    /** Default scale. */
    public static final double DEFAULT_SCALE = 64;

    private final double margin;
    private final double scale;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private TupletMarginLoss(Builder b) {
        super("TupletMarginLoss", b.distance(), b.miner());
        this.margin = b.margin;
        this.scale = b.scale;
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
        NDArray cos = batch.matrix();
        NDArray clamped = cos.clip(-1.0, 1.0);
        NDArray sin = LpDistance.safeSqrt(NDMath.constant(clamped, 1.0).sub(clamped.square()));
        NDArray shifted = NDMath.mul(clamped, Math.cos(margin)).add(NDMath.mul(sin, Math.sin(margin)));
        // log(1 + e^{-s cos(theta - m)} sum_n e^{s s_an}) = softplus(lse_n(s s_an) - s cos(theta - m))
        NDArray negLse = NDMath.logSumExp(NDMath.mul(cos, scale), batch.negative(), 1);
        NDArray hasNeg = NDMath.anyAlong(batch.negative(), 1).reshape(-1, 1);
        NDArray perPair = NDMath.softplus(negLse.sub(NDMath.mul(shifted, scale)));
        perPair = NDArrays.where(hasNeg.broadcast(perPair.getShape()), perPair, perPair.zerosLike());
        return reduce(reducer, LossTerms.of(perPair, batch.positive())
                .withSelection(batch.positive().logicalAnd(hasNeg)));
    }

    @Override
    public String toString() {
        return "TupletMarginLoss(margin=" + margin + ", scale=" + scale + ", distance=" + distance
                + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link TupletMarginLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double margin = DEFAULT_MARGIN;
        private double scale = DEFAULT_SCALE;

        private Builder() {
            super(CosineSimilarity.create(), new MeanReducer());
        }

        /** The angular margin m in radians, in [0, pi/2) (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            if (!(margin >= 0 && margin < Math.PI / 2)) {
                throw new IllegalArgumentException("margin must be in [0, pi/2) radians, got " + margin
                        + (margin >= Math.PI / 2 && margin < 180 ? " (degrees?)" : ""));
            }
            this.margin = margin;
            return this;
        }

        /** The scale s, {@code > 0} (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        @Override
        Distance checkDistance(Distance distance) {
            if (!(distance instanceof CosineSimilarity)) {
                throw new IllegalArgumentException(
                        "distance must be CosineSimilarity for TupletMarginLoss, got " + distance);
            }
            return distance;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public TupletMarginLoss build() {
            return new TupletMarginLoss(this);
        }
    }
}
