package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * A loss on a batch of embeddings with class labels. As a DJL {@link Loss}, {@link
 * #evaluate(NDList, NDList)} takes the labels as the first array of {@code labels} and the B x D
 * embeddings as the first array of {@code predictions}, so any DJL {@code Trainer} can use it.
 * The loss is computed in the embeddings' dtype.
 */
public abstract class MetricLoss extends Loss {

    /**
     * @param name the name shown in training logs
     */
    protected MetricLoss(String name) {
        super(name);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty()) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold the B x D embeddings, got none");
        }
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(
                    getName() + ": labels must hold the B class ids, got none");
        }
        return compute(predictions.head(), labels.head());
    }

    /**
     * The scalar loss of a batch.
     *
     * @param embeddings B x D embeddings (float32 or float64)
     * @param labels B class ids
     * @return the loss, a scalar of the embeddings' dtype
     */
    public abstract NDArray compute(NDArray embeddings, NDArray labels);
}
