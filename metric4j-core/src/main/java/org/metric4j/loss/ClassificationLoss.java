package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * A loss on class scores (a B x C matrix) with class labels: the classification-based losses of
 * face recognition. As a DJL {@link Loss}, {@link #evaluate} takes the labels first in {@code
 * labels} and the head's output in {@code predictions}.
 */
public abstract class ClassificationLoss extends Loss {

    /**
     * @param name the name in training logs
     */
    protected ClassificationLoss(String name) {
        super(name);
    }

    /**
     * Mean softmax cross entropy of B x C logits against class ids:
     * \( \frac{1}{B}\sum_i [\log\sum_j e^{z_{ij}} - z_{i y_i}] \), the target entries of the
     * engine's fused, stable log-softmax (one pass forward and one backward over the logits,
     * where max, subtract, exp and sum took four and their backward three; issue #17).
     *
     * @param logits B x C
     * @param labels B INT64 ids, already checked to lie in [0, C)
     * @return the mean, a scalar of the logits' dtype
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return logits.logSoftmax(1).gather(labels.reshape(-1, 1), 1).mean().neg();
    }

    /** The labels from a DJL labels list, with a clear error when absent. */
    protected NDArray labelsOf(NDList labels) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(getName() + ": labels must hold the B class ids, got none");
        }
        return labels.head();
    }
}
