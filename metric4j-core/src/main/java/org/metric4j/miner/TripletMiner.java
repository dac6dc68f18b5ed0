package org.metric4j.miner;

import ai.djl.ndarray.NDArray;

/** Selects triplets (anchor, positive, negative) from a labelled batch, without gradient. */
public interface TripletMiner {

    /**
     * Mines triplets of a batch against itself.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @return the triplets (possibly none)
     */
    TripletIndices mine(NDArray embeddings, NDArray labels);
}
