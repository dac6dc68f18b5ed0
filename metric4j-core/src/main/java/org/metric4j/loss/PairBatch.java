package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMiner;

/**
 * The shared start of every pair loss: the validated batch, its B x B matrix (with gradient) and
 * the positive / negative masks, from labels or narrowed by a pair miner.
 *
 * @param matrix the B x B distance or similarity matrix
 * @param positive boolean mask of the positive pairs (diagonal excluded)
 * @param negative boolean mask of the negative pairs
 * @param size B
 */
record PairBatch(NDArray matrix, NDArray positive, NDArray negative, long size) {

    static PairBatch of(Distance distance, NDArray embeddings, NDArray labels, PairMiner miner) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray mat = distance.matrix(embeddings);
        PairMasks masks = PairMasks.of(y);
        NDArray pos = masks.positive();
        NDArray neg = masks.negative();
        if (miner != null) {
            PairIndices mined = miner.mine(embeddings, y);
            pos = pos.logicalAnd(mined.positiveMask());
            neg = neg.logicalAnd(mined.negativeMask());
        }
        return new PairBatch(mat, pos, neg, b);
    }

    static PairBatch of(Distance distance, NDArray embeddings, NDArray labels) {
        return of(distance, embeddings, labels, null);
    }
}
