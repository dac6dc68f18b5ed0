package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * any negative pair (a single class) has no term and gives 0, as in PML. Against a reference set
 * (B x M), as PML, the second end's negatives are those of query row j (PML matches its negative
 * pairs' anchors against the reference index p); a reference row j beyond B adds none, and j = i
 * is counted once.
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
        NDArray both = NDMath.logAddExpOrZero(rowLse, negativesOfPositive(rowLse, mat));
        NDArray perPair = NDMath.relu(both.add(distance.margin(mat, posMargin))).square();
        perPair = NDMath.div(perPair, 2.0);
        // as PML: no term at all when the batch (or the miner) has no negative pair
        NDArray terms = batch.positive().logicalAnd(batch.negative().any());
        return reduce(reducer, LossTerms.of(perPair, terms));
    }

    /**
     * The log-sum-exp that pair (i, j) adds to its anchor i's: query j's (PML's negative pairs
     * whose anchor is p), -inf when i = j (counted once) or when there is no query j (a
     * reference row beyond B).
     */
    private static NDArray negativesOfPositive(NDArray rowLse, NDArray mat) {
        long b = mat.getShape().get(0);
        long m = mat.getShape().get(1);
        NDArray rowT = rowLse.reshape(1, -1);
        NDArray col = m <= b ? rowT.get(":, 0:" + m)
                : rowT.concat(mat.getManager().zeros(new Shape(1, m - b), mat.getDataType(), mat.getDevice()), 1);
        NDArray ri = mat.getManager().arange(0L, b, 1L, DataType.INT64).toDevice(mat.getDevice(), false).reshape(-1, 1);
        NDArray ci = mat.getManager().arange(0L, m, 1L, DataType.INT64).toDevice(mat.getDevice(), false).reshape(1, -1);
        NDArray keep = ci.lt(b).logicalAnd(ri.neq(ci));
        return NDMath.orNegInf(keep, col.broadcast(new Shape(b, m)));
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
