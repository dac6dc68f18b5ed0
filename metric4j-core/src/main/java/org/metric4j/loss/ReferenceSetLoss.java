package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.PairRelation;

/**
 * A pair or tuple loss that also takes a separate reference set (PML's {@code ref_emb} and {@code
 * ref_labels}) or an explicit {@link PairRelation} in place of labels: pairs are formed between
 * the B query rows (the anchors) and the M reference rows only, mined indices index the
 * references, and gradients reach both the queries and the references.
 *
 * <p>With labels, every same-label (query, reference) pair is positive and every different-label
 * pair negative; no pair is excluded as a self-comparison, since the two sets are different. With
 * a relation, its masks decide (PML's {@code indices_tuple}); {@code compute(x, x, relation)}
 * takes a batch against itself, and {@code PairRelation.ofLabels(labels)} then gives exactly the
 * labelled loss. A reducer that needs class labels (ClassWeightedReducer) needs the label form.
 *
 * <p>The pair losses implement it through {@link PairRelationLoss} (one B x M matrix and its
 * masks), and {@link TripletMarginLoss}, {@link AngularLoss}, {@link MarginLoss}, {@link
 * SignalToNoiseRatioContrastiveLoss} and {@link DynamicSoftMarginLoss} (not inside a {@link
 * CrossBatchMemory}: it keeps a per-step histogram) directly. The losses PML refuses a reference set for
 * ({@code c_f.ref_not_supported}: FastAP, histogram, instance, manifold, N-pairs, PNP, ranked
 * list, the proxy and classification losses) do not implement it, so neither a reference set nor
 * a {@link CrossBatchMemory} can be given to them.
 */
public interface ReferenceSetLoss {

    /**
     * The scalar loss of the queries against the references.
     *
     * @param embeddings B x D query embeddings
     * @param labels B query class ids
     * @param refEmbeddings M x D reference embeddings (same D and dtype)
     * @param refLabels M reference class ids
     * @return the loss, a scalar of the embeddings' dtype
     * @throws IllegalArgumentException on a bad shape, a width or dtype mismatch, or labels of the
     *     wrong length
     */
    NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels);

    /**
     * The scalar loss of the queries against the references under an explicit relation.
     *
     * @param embeddings B x D query embeddings
     * @param refEmbeddings M x D reference embeddings (same D and dtype; may be {@code embeddings})
     * @param relation the B x M positive and negative pairs
     * @return the loss, a scalar of the embeddings' dtype
     * @throws IllegalArgumentException on a bad shape, a width or dtype mismatch, or a relation
     *     that is not B x M
     */
    NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation);
}
