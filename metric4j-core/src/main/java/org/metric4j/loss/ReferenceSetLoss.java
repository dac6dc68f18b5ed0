package org.metric4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * A pair loss that also takes a separate reference set (PML's {@code ref_emb} and {@code
 * ref_labels}): pairs are formed between query rows and reference rows only, and no pair is
 * excluded as a self-comparison, since the two sets are different.
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
     */
    NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels);
}
