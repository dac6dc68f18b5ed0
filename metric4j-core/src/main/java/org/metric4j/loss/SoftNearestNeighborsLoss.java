package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.Normalization;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Soft nearest neighbours loss (Frosst, Papernot and Hinton 2019, arXiv:1902.01889):
 * \( -\frac{1}{B}\sum_i \log \frac{\sum_{j \ne i, y_j = y_i} e^{-\|x_i - x_j\|^2/T}}{\sum_{k \ne i}
 * e^{-\|x_i - x_k\|^2/T}} \) on raw embeddings. Anchors without a positive are left out of the
 * mean (their term is undefined).
 *
 * <p>Default temperature {@value #DEFAULT_TEMPERATURE}.
 */
public final class SoftNearestNeighborsLoss extends PairRelationLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 1.0;

    private final double temperature;

    private SoftNearestNeighborsLoss(Builder b) {
        super("SoftNearestNeighborsLoss", LpDistance.of(Normalization.NONE, 2), null);
        this.temperature = b.temperature;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray logits = NDMath.div(batch.matrix().neg(), temperature);
        NDArray others = batch.positive().logicalOr(batch.negative());
        NDArray all = NDMath.logSumExp(logits, others, 1).reshape(-1);
        NDArray same = NDMath.logSumExp(logits, batch.positive(), 1).reshape(-1);
        NDArray hasPos = NDMath.anyAlong(batch.positive(), 1);
        return reduce(new MeanReducer(), LossTerms.of(all.sub(same), hasPos));
    }

    @Override
    public String toString() {
        return "SoftNearestNeighborsLoss(temperature=" + temperature + ")";
    }

    /** Builder of {@link SoftNearestNeighborsLoss}. */
    public static final class Builder {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {}

        /** Temperature, > 0 (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        /** The loss. */
        public SoftNearestNeighborsLoss build() {
            return new SoftNearestNeighborsLoss(this);
        }
    }
}
