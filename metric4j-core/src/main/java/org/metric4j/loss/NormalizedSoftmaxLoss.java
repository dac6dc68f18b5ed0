package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Normalized softmax (NormFace, Wang et al. 2017, arXiv:1704.06369): cross entropy of
 * \( \cos\theta_{ij} / \tau \) (normalized features and class weights). PML's {@code
 * NormalizedSoftmaxLoss}; default temperature {@value #DEFAULT_TEMPERATURE} (scale 20).
 */
public final class NormalizedSoftmaxLoss extends MarginSoftmaxLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.05;

    private final double temperature;

    private NormalizedSoftmaxLoss(Builder b) {
        super("NormalizedSoftmaxLoss");
        this.temperature = b.temperature;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        return targetCosine;
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        return NDMath.div(logits, temperature);
    }

    @Override
    public String toString() {
        return "NormalizedSoftmaxLoss(temperature=" + temperature + ")";
    }

    /** Builder of {@link NormalizedSoftmaxLoss}. */
    public static final class Builder {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {}

        /** Temperature, > 0 (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        /** The loss. */
        public NormalizedSoftmaxLoss build() {
            return new NormalizedSoftmaxLoss(this);
        }
    }
}
