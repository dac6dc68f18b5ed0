package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/**
 * Contrastive loss in pytorch-metric-learning's form (after Hadsell, Chopra and LeCun 2006):
 * \( [d_{ap} - m_{pos}]_+ \) per positive pair and \( [m_{neg} - d_{an}]_+ \) per negative pair,
 * each part reduced on its own (default: mean over its non-zero terms) and the two added. With a
 * similarity the margins apply the other way: \( [m_{pos} - s_{ap}]_+ \), \( [s_{an} -
 * m_{neg}]_+ \).
 *
 * <p>Defaults (PML): pos margin {@value #DEFAULT_POS_MARGIN}, neg margin {@value
 * #DEFAULT_NEG_MARGIN}, L2 on normalized embeddings, {@link AvgNonZeroReducer}, no miner. The
 * squared-hinge form of the paper is {@link HadsellContrastiveLoss}.
 */
public final class ContrastiveLoss extends PairRelationLoss {

    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0;
    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 1;

    private final double posMargin;
    private final double negMargin;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private ContrastiveLoss(Builder b) {
        super("ContrastiveLoss", b.distance(), b.miner());
        this.posMargin = b.posMargin;
        this.negMargin = b.negMargin;
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
        NDArray pos = NDMath.scoped(() -> NDMath.relu(distance.margin(batch.matrix(), posMargin)));
        NDArray neg = NDMath.scoped(() -> NDMath.relu(distance.margin(negMargin, batch.matrix())));
        return reduce(reducer, LossTerms.of(pos, batch.positive()).withName("pos_loss").withLabels(batch.labels()),
                LossTerms.of(neg, batch.negative()).withName("neg_loss").withLabels(batch.labels()));
    }

    @Override
    public String toString() {
        return "ContrastiveLoss(posMargin=" + posMargin + ", negMargin=" + negMargin
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link ContrastiveLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double posMargin = DEFAULT_POS_MARGIN;
        private double negMargin = DEFAULT_NEG_MARGIN;

        private Builder() {
            super(LpDistance.euclidean(), new AvgNonZeroReducer());
        }

        /** Positive pairs are pulled to this (default {@value #DEFAULT_POS_MARGIN}). */
        public Builder optPosMargin(double posMargin) {
            this.posMargin = Inputs.finite("posMargin", posMargin);
            return this;
        }

        /** Negative pairs are pushed beyond this (default {@value #DEFAULT_NEG_MARGIN}). */
        public Builder optNegMargin(double negMargin) {
            this.negMargin = Inputs.finite("negMargin", negMargin);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public ContrastiveLoss build() {
            return new ContrastiveLoss(this);
        }
    }
}
