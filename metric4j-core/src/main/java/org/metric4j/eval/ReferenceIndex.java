package org.metric4j.eval;

import ai.djl.ndarray.NDArray;

/**
 * References kept outside an {@link InferenceModel}, e.g. a gallery in a vector index: the model
 * embeds the queries and asks the index. An implementation ranks by cosine similarity unless it
 * says otherwise.
 */
public interface ReferenceIndex {

    /** The number of references. */
    long size();

    /**
     * The k best references of every query.
     *
     * @param queries Q x D embedded queries
     * @param k neighbours per query, in [1, {@link #size()}]
     * @return reference indices and their scores, best first
     */
    KnnSearch.Result topK(NDArray queries, int k);

    /**
     * Every (query, reference) pair whose similarity is at least {@code threshold}.
     *
     * @param queries Q x D embedded queries
     * @param threshold the smallest similarity accepted
     * @return rows {@code {query, reference}}, by query then reference
     */
    long[][] matches(NDArray queries, double threshold);
}
