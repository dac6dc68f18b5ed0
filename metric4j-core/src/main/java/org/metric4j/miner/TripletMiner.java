package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.PairRelation;

/**
 * Selects triplets (anchor, positive, negative), without gradient: of a labelled batch against
 * itself, of queries against a separate reference set (PML's {@code miner(embeddings, labels,
 * ref_emb, ref_labels)}), or under an explicit {@link PairRelation}. Anchors index the queries,
 * positives and negatives the reference rows.
 */
public interface TripletMiner {

    /**
     * Mines triplets of a batch against itself.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @return the triplets (possibly none)
     */
    TripletIndices mine(NDArray embeddings, NDArray labels);

    /**
     * Mines triplets of queries against a labelled reference set.
     *
     * @param embeddings B x D queries
     * @param labels B query class ids
     * @param refEmbeddings M x D references (same D and dtype)
     * @param refLabels M reference class ids
     * @return the triplets (possibly none)
     */
    TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels);

    /**
     * Mines triplets of queries against references among the pairs of a relation.
     *
     * @param embeddings B x D queries
     * @param refEmbeddings M x D references
     * @param relation the B x M positive and negative pairs
     * @return the triplets (possibly none)
     */
    TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation);
}
