package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;

/**
 * What every miner starts from: the validated queries, their B x M matrix against the references
 * (no gradient) and the relation; against the batch itself M = B and the references are the
 * queries. Mined indices index the reference rows.
 *
 * @param matrix the B x M matrix, detached
 * @param masks the B x M positive and negative pairs
 * @param size B, the number of queries
 */
record MiningBatch(NDArray matrix, PairRelation masks, long size) {

    /** A batch against itself, positives and negatives from its labels (diagonal excluded). */
    static MiningBatch of(Distance distance, NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray x = embeddings.stopGradient();
        return new MiningBatch(distance.matrix(x).stopGradient(), PairRelation.ofLabels(y), b);
    }

    /** Queries against a labelled reference set (nothing excluded). */
    static MiningBatch of(Distance distance, NDArray embeddings, NDArray labels, NDArray refEmbeddings,
            NDArray refLabels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray yRef = Inputs.labels("refLabels", refLabels, m);
        return new MiningBatch(matrix(distance, embeddings, refEmbeddings), PairRelation.of(y, yRef), b);
    }

    /** Queries against references under an explicit B x M relation. */
    static MiningBatch of(Distance distance, NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        relation.check(b, m);
        return new MiningBatch(matrix(distance, embeddings, refEmbeddings), relation, b);
    }

    private static NDArray matrix(Distance distance, NDArray embeddings, NDArray refEmbeddings) {
        NDArray x = embeddings.stopGradient();
        NDArray r = embeddings == refEmbeddings ? x : refEmbeddings.stopGradient();
        return (x == r ? distance.matrix(x) : distance.matrix(x, r)).stopGradient();
    }
}
