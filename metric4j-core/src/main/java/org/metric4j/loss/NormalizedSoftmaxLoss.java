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

    /** The loss with temperature {@value #DEFAULT_TEMPERATURE}. */
    public NormalizedSoftmaxLoss() {
        this(DEFAULT_TEMPERATURE);
    }

    /** The loss with the given temperature (> 0). */
    public NormalizedSoftmaxLoss(double temperature) {
        super("NormalizedSoftmaxLoss");
        this.temperature = Inputs.positive("temperature", temperature);
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
}
