package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;

/**
 * A penalty on the rows of an array, reduced to a scalar by the regularizer's own reducer (PML's
 * {@code BaseRegularizer}: per-row terms, then {@code MeanReducer} unless said otherwise).
 */
public interface Regularizer {

    /**
     * The regularization of {@code rows}.
     *
     * @param rows N x D: embeddings, or class weights / centers one per row
     * @return a scalar in the rows' dtype
     */
    NDArray compute(NDArray rows);
}
