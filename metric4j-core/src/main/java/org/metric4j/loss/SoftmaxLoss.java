package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.metric4j.math.Inputs;

/**
 * The softmax loss of face recognition: mean cross entropy of the logits of a {@link
 * org.metric4j.head.LinearClassifier} (\( xW + b \)),
 * \( \frac{1}{B}\sum_i -\log \frac{e^{z_{i y_i}}}{\sum_j e^{z_{ij}}} \), in the logits' dtype.
 * {@link #evaluate} takes [B x C logits] as predictions.
 */
public final class SoftmaxLoss extends ClassificationLoss {

    /** The loss. */
    public SoftmaxLoss() {
        super("SoftmaxLoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty()) {
            throw new IllegalArgumentException(getName() + ": predictions must hold the B x C logits");
        }
        return compute(predictions.head(), labelsOf(labels));
    }

    /** The mean cross entropy of B x C logits against class ids in [0, C). */
    public NDArray compute(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() != 2) {
            throw new IllegalArgumentException("logits must be B x C, got shape " + logits.getShape());
        }
        NDArray y = Inputs.classLabels("labels", labels, logits.getShape().get(0), logits.getShape().get(1));
        return crossEntropy(logits, y);
    }

    @Override
    public String toString() {
        return "SoftmaxLoss";
    }
}
