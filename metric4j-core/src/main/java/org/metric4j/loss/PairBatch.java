package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMiner;

/**
 * The shared start of every pair loss: the validated queries, their B x M matrix (with gradient)
 * against the references and the B x M positive / negative masks, narrowed by an optional pair
 * miner. Against the batch itself M = B, the references are the queries and the relation comes
 * from the labels (diagonal excluded); against a reference set it comes from both label arrays or
 * is given explicitly.
 *
 * @param matrix the B x M distance or similarity matrix
 * @param positive boolean mask of the positive pairs
 * @param negative boolean mask of the negative pairs
 * @param size B, the number of queries
 * @param labels the B query labels (INT64) for reducers that weigh by class, null with an
 *     explicit relation
 * @param references the M x D references (the queries themselves for a batch against itself)
 */
record PairBatch(NDArray matrix, NDArray positive, NDArray negative, long size, NDArray labels,
        NDArray references) {

    /** A batch against itself. */
    static PairBatch of(Distance distance, NDArray embeddings, NDArray labels, PairMiner miner) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        PairRelation relation = PairRelation.ofLabels(y);
        if (miner != null) {
            PairIndices mined = miner.mine(embeddings, y);
            relation = relation.narrow(mined.positiveMask(), mined.negativeMask());
        }
        return new PairBatch(distance.matrix(embeddings), relation.positive(), relation.negative(), b, y,
                embeddings);
    }

    /** A batch against itself, without miner. */
    static PairBatch of(Distance distance, NDArray embeddings, NDArray labels) {
        return of(distance, embeddings, labels, null);
    }

    /** Queries against a labelled reference set: nothing is excluded as a self-comparison. */
    static PairBatch of(Distance distance, NDArray embeddings, NDArray labels, NDArray refEmbeddings,
            NDArray refLabels, PairMiner miner) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray yRef = Inputs.labels("refLabels", refLabels, m);
        PairRelation relation = PairRelation.of(y, yRef);
        if (miner != null) {
            PairIndices mined = miner.mine(embeddings, y, refEmbeddings, yRef);
            relation = relation.narrow(mined.positiveMask(), mined.negativeMask());
        }
        return new PairBatch(distance.matrix(embeddings, refEmbeddings), relation.positive(),
                relation.negative(), b, y, refEmbeddings);
    }

    /** Queries against references under an explicit relation. */
    static PairBatch of(Distance distance, NDArray embeddings, NDArray refEmbeddings, PairRelation relation,
            PairMiner miner) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        relation.check(b, m);
        if (miner != null) {
            PairIndices mined = miner.mine(embeddings, refEmbeddings, relation);
            relation = relation.narrow(mined.positiveMask(), mined.negativeMask());
        }
        NDArray mat = embeddings == refEmbeddings ? distance.matrix(embeddings)
                : distance.matrix(embeddings, refEmbeddings);
        return new PairBatch(mat, relation.positive(), relation.negative(), b, null, refEmbeddings);
    }
}
