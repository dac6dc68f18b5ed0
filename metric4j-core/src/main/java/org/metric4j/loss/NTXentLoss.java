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
 * NT-Xent / InfoNCE over labels (SimCLR, Chen et al. 2020, arXiv:2002.05709; PML's {@code
 * NTXentLoss}): every positive pair (a, p) against all negatives of its anchor,
 * \( -\log \frac{e^{s_{ap}/\tau}}{e^{s_{ap}/\tau} + \sum_n e^{s_{an}/\tau}} =
 * \mathrm{softplus}(\log\sum_n e^{s_{an}/\tau} - s_{ap}/\tau) \), mean over positive pairs.
 *
 * <p>One logsumexp per row of the B x B matrix serves every positive pair of that row.
 * Defaults (PML's): temperature {@value #DEFAULT_TEMPERATURE}, cosine similarity, no miner,
 * {@link MeanReducer} over positive pairs. A distance is negated.
 *
 * <p>With a separate reference set ({@link #compute(NDArray, NDArray, NDArray, NDArray)}, PML's
 * {@code ref_emb}) or an explicit relation ({@link ReferenceSetLoss}), the anchors are the query
 * rows and the positives and negatives the reference rows: every same-label (query, reference)
 * pair is positive, nothing is excluded as a self-comparison. Memory stays O(B x M): one masked
 * logsumexp per query row over its negatives, never a positives x negatives mask.
 */
public final class NTXentLoss extends PairRelationLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    private final double temperature;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private NTXentLoss(Builder b) {
        super("NTXentLoss", b.distance(), b.miner());
        this.temperature = b.temperature;
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
        return fromMatrix(batch.matrix(), batch.positive(), batch.negative());
    }

    private NDArray fromMatrix(NDArray matrix, NDArray positive, NDArray negative) {
        NDArray logits = NDMath.div(similarity(distance, matrix), temperature);
        NDArray negLse = NDMath.logSumExp(logits, negative, 1);
        NDArray hasNeg = NDMath.anyAlong(negative, 1).reshape(-1, 1);
        NDArray perPair = NDMath.softplus(negLse.sub(logits));
        perPair = perPair.mul(NDMath.asFloat(hasNeg, perPair));
        return reduce(reducer, LossTerms.of(perPair, positive));
    }

    /** The matrix as a similarity: unchanged for a similarity, negated for a distance. */
    static NDArray similarity(Distance distance, NDArray mat) {
        return distance.isInverted() ? mat : mat.neg();
    }

    @Override
    public String toString() {
        return "NTXentLoss(temperature=" + temperature + ", distance=" + distance + ", miner=" + miner
                + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link NTXentLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {
            super(CosineSimilarity.create(), new MeanReducer());
        }

        /** The temperature tau, {@code > 0} (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public NTXentLoss build() {
            return new NTXentLoss(this);
        }
    }
}
