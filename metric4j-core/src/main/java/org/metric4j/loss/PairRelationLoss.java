package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;
import org.metric4j.miner.PairMiner;

/**
 * The base of the pair losses that are functions of one B x M matrix and its positive / negative
 * masks: the labelled batch against itself, queries against a labelled reference set and an
 * explicit {@link PairRelation} all reach the loss's one formula through {@link PairBatch}, so
 * every such loss supports reference sets, relations and a {@code CrossBatchMemory} the same way.
 */
public abstract class PairRelationLoss extends MetricLoss implements ReferenceSetLoss {

    private final Distance pairDistance;
    private final PairMiner pairMiner;

    /**
     * @param name the name shown in training logs
     * @param distance the distance or similarity of the matrix
     * @param miner the pair miner, or null
     */
    PairRelationLoss(String name, Distance distance, PairMiner miner) {
        super(name);
        this.pairDistance = distance;
        this.pairMiner = miner;
    }

    @Override
    public final NDArray compute(NDArray embeddings, NDArray labels) {
        return fromBatch(PairBatch.of(pairDistance, embeddings, labels, pairMiner));
    }

    @Override
    public final NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return fromBatch(PairBatch.of(pairDistance, embeddings, labels, refEmbeddings, refLabels, pairMiner));
    }

    @Override
    public final NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return fromBatch(PairBatch.of(pairDistance, embeddings, refEmbeddings, relation, pairMiner));
    }

    /** The loss of a batch: its matrix, masks and (possibly null) labels. */
    abstract NDArray fromBatch(PairBatch batch);
}
