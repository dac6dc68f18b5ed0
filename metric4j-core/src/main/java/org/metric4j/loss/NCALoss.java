package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Neighbourhood components analysis (Goldberger et al. 2004) as a loss (PML's {@code NCALoss}):
 * \( -\log \sum_{j \ne i, y_j = y_i} \mathrm{softmax}_{k \ne i}(-s\, d_{ik})_j \), mean over the
 * anchors that have a positive.
 *
 * <p>Defaults (PML's): softmax scale {@value #DEFAULT_SOFTMAX_SCALE}, squared L2 on normalized
 * embeddings, no miner, {@link MeanReducer} over the anchors that have a positive.
 */
public final class NCALoss extends PairRelationLoss {

    /** Default softmax scale. */
    public static final double DEFAULT_SOFTMAX_SCALE = 1;

    private final double softmaxScale;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private NCALoss(Builder b) {
        super("NCALoss", b.distance(), b.miner());
        this.softmaxScale = b.softmaxScale;
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
        NDArray logits = NDMath.mul(NTXentLoss.similarity(distance, batch.matrix()), softmaxScale);
        NDArray others = batch.positive().logicalOr(batch.negative());
        NDArray all = NDMath.logSumExp(logits, others, 1).reshape(-1);
        NDArray same = NDMath.logSumExp(logits, batch.positive(), 1).reshape(-1);
        NDArray hasPos = NDMath.anyAlong(batch.positive(), 1);
        return reduce(reducer, LossTerms.of(all.sub(same), hasPos));
    }

    @Override
    public String toString() {
        return "NCALoss(softmaxScale=" + softmaxScale + ", distance=" + distance + ", miner=" + miner
                + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link NCALoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double softmaxScale = DEFAULT_SOFTMAX_SCALE;

        private Builder() {
            super(LpDistance.squaredEuclidean(), new MeanReducer());
        }

        /** The softmax scale, {@code > 0} (default {@value #DEFAULT_SOFTMAX_SCALE}). */
        public Builder optSoftmaxScale(double softmaxScale) {
            this.softmaxScale = Inputs.positive("softmaxScale", softmaxScale);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public NCALoss build() {
            return new NCALoss(this);
        }
    }
}
