package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Decoupled contrastive loss (Yeh et al. 2021, arXiv:2110.06848) with labels: for every positive
 * pair (a, p), \( -s_{ap}/\tau + \log\sum_{n: y_n \ne y_a} e^{s_{an}/\tau} \) (the positive is
 * left out of the denominator), cosine similarity, mean over positive pairs. Pairs whose anchor
 * has no negative are left out.
 *
 * <p>Default temperature {@value #DEFAULT_TEMPERATURE}.
 */
public final class DecoupledContrastiveLoss extends PairRelationLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    private final double temperature;

    private DecoupledContrastiveLoss(Builder b) {
        super("DecoupledContrastiveLoss", CosineSimilarity.create(), null);
        this.temperature = b.temperature;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray logits = NDMath.div(batch.matrix(), temperature);
        NDArray negLse = NDMath.logSumExp(logits, batch.negative(), 1);
        NDArray hasNeg = NDMath.anyAlong(batch.negative(), 1).reshape(-1, 1);
        NDArray valid = batch.positive().logicalAnd(hasNeg);
        return reduce(new MeanReducer(), LossTerms.of(negLse.sub(logits), valid));
    }

    @Override
    public String toString() {
        return "DecoupledContrastiveLoss(temperature=" + temperature + ")";
    }

    /** Builder of {@link DecoupledContrastiveLoss}. */
    public static final class Builder {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {}

        /** Temperature, > 0 (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        /** The loss. */
        public DecoupledContrastiveLoss build() {
            return new DecoupledContrastiveLoss(this);
        }
    }
}
