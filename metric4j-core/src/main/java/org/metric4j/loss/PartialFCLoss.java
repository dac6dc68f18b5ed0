package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.head.SampledBatch;

/**
 * A margin softmax on the sampled classes of a {@link org.metric4j.head.PartialCosineClassifier}
 * (PartialFC, An et al. 2022, arXiv:2203.15565), as a DJL {@link Loss} for a plain DJL {@code
 * Trainer}: the predictions are the head's {@link SampledBatch#toList()} ([cosine S columns,
 * embedding norms, weight norms, labels renumbered into [0, S), classes, rows]), and the loss
 * scores the batch's renumbered labels, not the dataset's class ids in [0, C). The head's own
 * update runs once per step through {@code head.stepUpdate(learningRate, clock)} on a {@link
 * org.metric4j.schedule.StepListener}.
 */
public final class PartialFCLoss extends Loss {

    private final MarginSoftmaxLoss inner;

    /**
     * The loss.
     *
     * @param inner the margin softmax on the sampled classes (ArcFace, CosFace, ...)
     */
    public PartialFCLoss(MarginSoftmaxLoss inner) {
        super(inner == null ? "PartialFCLoss" : inner.getName());
        if (inner == null) {
            throw new IllegalArgumentException("inner loss must not be null");
        }
        this.inner = inner;
    }

    /** The margin softmax on the sampled classes. */
    public MarginSoftmaxLoss inner() {
        return inner;
    }

    /** The inner loss on the batch's sampled scores and renumbered labels; {@code labels} is unused. */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        SampledBatch batch = SampledBatch.fromList(predictions);
        return inner.compute(batch.scores(), batch.labels());
    }

    @Override
    public String toString() {
        return "PartialFCLoss(" + inner + ")";
    }
}
