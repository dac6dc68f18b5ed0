package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;

/**
 * The base of the pair miners that are functions of one B x M matrix and its positive /
 * negative masks: the labelled batch against itself, queries against a labelled reference set and
 * an explicit {@link PairRelation} all reach the miner's one rule through {@link MiningBatch}, so
 * every such miner supports reference sets and relations the same way.
 */
public abstract class MatrixPairMiner implements PairMiner {

    private final Distance matrixDistance;

    /**
     * @param distance the distance or similarity of the matrix
     */
    MatrixPairMiner(Distance distance) {
        this.matrixDistance = distance;
    }

    @Override
    public final PairIndices mine(NDArray embeddings, NDArray labels) {
        return mine(MiningBatch.of(matrixDistance, embeddings, labels));
    }

    @Override
    public final PairIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return mine(MiningBatch.of(matrixDistance, embeddings, labels, refEmbeddings, refLabels));
    }

    @Override
    public final PairIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return mine(MiningBatch.of(matrixDistance, embeddings, refEmbeddings, relation));
    }

    /** The pairs mined from a batch: its matrix (no gradient) and masks. */
    abstract PairIndices mine(MiningBatch batch);
}
