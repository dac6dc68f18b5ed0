package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;

/**
 * The base of the triplet miners that are functions of one B x M matrix and its positive /
 * negative masks: the labelled batch against itself, queries against a labelled reference set and
 * an explicit {@link PairRelation} all reach the miner's one rule through {@link MiningBatch}, so
 * every such miner supports reference sets and relations the same way.
 */
public abstract class MatrixTripletMiner implements TripletMiner {

    private final Distance matrixDistance;

    /**
     * @param distance the distance or similarity of the matrix
     */
    MatrixTripletMiner(Distance distance) {
        this.matrixDistance = distance;
    }

    @Override
    public final TripletIndices mine(NDArray embeddings, NDArray labels) {
        return mine(MiningBatch.of(matrixDistance, embeddings, labels));
    }

    @Override
    public final TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return mine(MiningBatch.of(matrixDistance, embeddings, labels, refEmbeddings, refLabels));
    }

    @Override
    public final TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return mine(MiningBatch.of(matrixDistance, embeddings, refEmbeddings, relation));
    }

    /** The triplets mined from a batch: its matrix (no gradient) and masks. */
    abstract TripletIndices mine(MiningBatch batch);
}
