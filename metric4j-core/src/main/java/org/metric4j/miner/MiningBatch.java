package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;

/** What every miner starts from: the validated batch, its matrix (no gradient) and masks. */
record MiningBatch(NDArray matrix, PairMasks masks, long size) {

    static MiningBatch of(Distance distance, NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray x = embeddings.stopGradient();
        return new MiningBatch(distance.matrix(x).stopGradient(), PairMasks.of(y), b);
    }
}
