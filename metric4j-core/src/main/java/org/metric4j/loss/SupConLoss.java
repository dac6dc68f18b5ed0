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
 * Supervised contrastive loss (Khosla et al. 2020, arXiv:2004.11362), per anchor:
 * \( -\frac{1}{|P(i)|} \sum_{p \in P(i)} \log \frac{e^{s_{ip}/\tau}}{\sum_{a \ne i} e^{s_{ia}/\tau}} \),
 * averaged over anchors with a positive (PML's {@code SupConLoss}). A batch without any positive
 * or without any negative pair gives 0.
 *
 * <p>Defaults (PML's): temperature {@value #DEFAULT_TEMPERATURE}, cosine similarity, no miner,
 * {@link AvgNonZeroReducer} over anchors.
 */
public final class SupConLoss extends PairRelationLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    private final double temperature;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;

    private SupConLoss(Builder b) {
        super("SupConLoss", b.distance(), b.miner());
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
        NDArray logits = NDMath.div(NTXentLoss.similarity(distance, batch.matrix()), temperature);
        NDArray others = batch.positive().logicalOr(batch.negative());
        NDArray logProb = logits.sub(NDMath.logSumExp(logits, others, 1));
        NDArray posValues = NDMath.asFloat(batch.positive(), logits);
        NDArray count = posValues.sum(new int[] {1});
        NDArray perAnchor = logProb.mul(posValues).sum(new int[] {1}).neg().div(count.maximum(1.0));
        NDArray valid = batch.positive().any().logicalAnd(batch.negative().any());
        perAnchor = perAnchor.mul(NDMath.asFloat(valid, perAnchor));
        return reduce(reducer, LossTerms.of(perAnchor)
                .withSelection(NDMath.anyAlong(batch.positive(), 1).logicalAnd(valid)));
    }

    @Override
    public String toString() {
        return "SupConLoss(temperature=" + temperature + ", distance=" + distance + ", miner=" + miner
                + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link SupConLoss}; distance, miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {
            super(CosineSimilarity.create(), new AvgNonZeroReducer());
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
        public SupConLoss build() {
            return new SupConLoss(this);
        }
    }
}
