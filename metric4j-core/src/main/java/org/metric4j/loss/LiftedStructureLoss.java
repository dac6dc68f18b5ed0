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
 * Lifted structured loss (Song et al. 2016, arXiv:1511.06452) in PML's form: for every positive
 * pair (i, j), \( \frac{1}{2} [\, \log \sum_{(k,l) \in N_i \cup N_j} e^{m_{neg} - d_{kl}} + d_{ij} -
 * m_{pos} ]_+^2 \), over the negatives of both ends.
 *
 * <p>The log-sum over the negatives of both ends is {@code logaddexp} of two per-row
 * logsumexps, so the loss is a few masked reductions on the B x B matrix: O(B^2) time and memory.
 * Defaults (PML): neg margin {@value #DEFAULT_NEG_MARGIN}, pos margin {@value
 * #DEFAULT_POS_MARGIN}, L2 on normalized embeddings, mean over positive pairs. A batch without
 * any negative pair (a single class) has no term and gives 0, as in PML.
 */
public final class LiftedStructureLoss extends PairRelationLoss {

    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 1;
    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0;

    private final double negMargin;
    private final double posMargin;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private LiftedStructureLoss(Builder b) {
        super("LiftedStructureLoss", b.distance(), b.miner());
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
        NDArray negLogits = distance.margin(negMargin, mat);
        NDArray hasNeg = NDMath.anyAlong(batch.negative(), 1).reshape(-1, 1);
        NDArray rowLse = NDMath.orNegInf(
                hasNeg, NDMath.logSumExp(negLogits, batch.negative(), 1));
        NDArray both = NDMath.logAddExpOrZero(rowLse, rowLse.transpose());
        NDArray perPair = NDMath.relu(both.add(distance.margin(mat, posMargin))).square();
        perPair = NDMath.div(perPair, 2.0);
        // as PML: no term at all when the batch (or the miner) has no negative pair
        NDArray terms = batch.positive().logicalAnd(batch.negative().any());
        return reduce(reducer, LossTerms.of(perPair, terms));
    }

    @Override
    public String toString() {
        return "LiftedStructureLoss(negMargin=" + negMargin + ", posMargin=" + posMargin
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link LiftedStructureLoss}; distance, miner and reducer (default mean over positive pairs) from {@link PairLossBuilder}. */
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
        public LiftedStructureLoss build() {
            return new LiftedStructureLoss(this);
        }
    }
}
