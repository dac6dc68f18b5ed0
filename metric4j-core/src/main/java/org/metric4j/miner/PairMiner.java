package org.metric4j.miner;

import ai.djl.ndarray.NDArray;

/** Selects positive and negative pairs from a labelled batch, without gradient. */
public interface PairMiner {

    /**
     * Mines pairs of a batch against itself.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @return the pairs as B x B masks
     */
    PairIndices mine(NDArray embeddings, NDArray labels);
}
