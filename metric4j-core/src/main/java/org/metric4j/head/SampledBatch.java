package org.metric4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * One step of a {@link PartialCosineClassifier}: the scores of a batch against the S sampled
 * classes, the labels renumbered into the sampled set, and what the update needs.
 *
 * <p>Feed {@code scores} and {@code labels} to any {@link org.metric4j.loss.MarginSoftmaxLoss}
 * ({@code loss.compute(batch.scores(), batch.labels())}), call {@code backward} on the loss, then
 * {@link PartialCosineClassifier#update} with this batch.
 *
 * @param scores B x S cosines, B x 1 embedding norms, 1 x S weight norms of the sampled rows
 * @param labels B INT64 ids in [0, S): position of each row's class among {@code classes}
 * @param classes S INT64 class ids in [0, C), ascending, every label of the batch included
 * @param rows S x D sampled weight rows: for PartialFC v1 a leaf copy that requires a gradient, for v2
 *     the rows gathered from the trainable weight inside autograd
 */
public record SampledBatch(ClassScores scores, NDArray labels, NDArray classes, NDArray rows) {

    /** Number of sampled classes S. */
    public long numSampled() {
        return classes.getShape().get(0);
    }

    /**
     * The batch as the NDList a DJL Block returns: [cosine, embedding norms, weight norms,
     * labels, classes, rows]; its first three entries read as {@link ClassScores#fromList}.
     */
    public NDList toList() {
        return new NDList(scores.cosine(), scores.embeddingNorms(), scores.weightNorms(), labels,
                classes, rows);
    }

    /** The batch from {@link #toList()}'s layout. */
    public static SampledBatch fromList(NDList list) {
        if (list == null || list.size() != 6) {
            throw new IllegalArgumentException(
                    "list must hold [cosine, embedding norms, weight norms, labels, classes, rows],"
                            + " got " + (list == null ? "null" : list.size() + " arrays"));
        }
        return new SampledBatch(new ClassScores(list.get(0), list.get(1), list.get(2)),
                list.get(3), list.get(4), list.get(5));
    }
}
