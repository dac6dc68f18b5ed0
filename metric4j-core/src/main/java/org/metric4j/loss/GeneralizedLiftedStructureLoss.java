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
 * The generalized lifted structure loss (Hermans et al. 2017, arXiv:1703.07737, p. 4), per
 * anchor: \( [\log \sum_{p} e^{d_{ap} - m_{pos}} + \log \sum_{n} e^{m_{neg} - d_{an}}]_+ \), mean
 * over anchors (PML's {@code GeneralizedLiftedStructureLoss}).
 *
 * <p>Defaults: neg margin {@value #DEFAULT_NEG_MARGIN}, pos margin {@value #DEFAULT_POS_MARGIN},
 * L2 on normalized embeddings, no miner, {@link MeanReducer} over anchors.
 */
public final class GeneralizedLiftedStructureLoss extends PairRelationLoss {

    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 1;
    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0;

    private final double negMargin;
    private final double posMargin;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private GeneralizedLiftedStructureLoss(Builder b) {
        super("GeneralizedLiftedStructureLoss", b.distance(), b.miner());
        this.negMargin = b.negMargin;
        this.posMargin = b.posMargin;
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
        NDArray pos = NDMath.logSumExp(distance.margin(mat, posMargin), batch.positive(), 1);
        NDArray neg = NDMath.logSumExp(distance.margin(negMargin, mat), batch.negative(), 1);
        return reduce(reducer, LossTerms.of(NDMath.relu(pos.add(neg)))
                .withSelection(NDMath.anyAlong(batch.positive().logicalOr(batch.negative()), 1)));
    }

    @Override
    public String toString() {
        return "GeneralizedLiftedStructureLoss(negMargin=" + negMargin + ", posMargin=" + posMargin
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link GeneralizedLiftedStructureLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double negMargin = DEFAULT_NEG_MARGIN;
        private double posMargin = DEFAULT_POS_MARGIN;

        private Builder() {
            super(LpDistance.euclidean(), new MeanReducer());
        }

        /** Negative margin (default {@value #DEFAULT_NEG_MARGIN}). */
        public Builder optNegMargin(double negMargin) {
            this.negMargin = Inputs.finite("negMargin", negMargin);
            return this;
        }

        /** Positive margin (default {@value #DEFAULT_POS_MARGIN}). */
        public Builder optPosMargin(double posMargin) {
            this.posMargin = Inputs.finite("posMargin", posMargin);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public GeneralizedLiftedStructureLoss build() {
            return new GeneralizedLiftedStructureLoss(this);
        }
    }
}
