package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.PairRelation;

/**
 * Selects positive and negative pairs, without gradient: of a labelled batch against itself, or
 * of queries against a separate reference set (PML's {@code miner(embeddings, labels, ref_emb,
 * ref_labels)}), or under an explicit {@link PairRelation}. The masks are B x M, their columns
 * the reference rows.
 */
public interface PairMiner {

    /**
     * Mines pairs of a batch against itself.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @return the pairs as B x B masks
     */
    PairIndices mine(NDArray embeddings, NDArray labels);

    /**
     * Mines pairs of queries against a labelled reference set (no pair is a self-comparison).
     *
     * @param embeddings B x D queries
     * @param labels B query class ids
     * @param refEmbeddings M x D references (same D and dtype)
     * @param refLabels M reference class ids
     * @return the pairs as B x M masks
     */
    PairIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels);

    /**
     * Mines pairs of queries against references among the pairs of a relation.
     *
     * @param embeddings B x D queries
     * @param refEmbeddings M x D references (the queries themselves for a batch against itself)
     * @param relation the B x M positive and negative pairs to choose from
     * @return the pairs as B x M masks
     */
    PairIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation);
}
