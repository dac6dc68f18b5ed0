package org.metric4j.distance;

import ai.djl.ndarray.NDArray;

/**
 * Cosine similarity \( \frac{x \cdot y}{\|x\| \|y\|} \): the dot product of L2-normalized rows.
 * A similarity (larger is closer), as pytorch-metric-learning's {@code CosineSimilarity}.
 */
public final class CosineSimilarity implements Distance {

    private static final CosineSimilarity INSTANCE = new CosineSimilarity();

    private CosineSimilarity() {}

    /** The cosine similarity. */
    public static CosineSimilarity create() {
        return INSTANCE;
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        NDArray q = normalize(query);
        NDArray r = query == reference ? q : normalize(reference);
        return q.matMul(r.transpose());
    }

    @Override
    public boolean isInverted() {
        return true;
    }

    @Override
    public boolean normalizesEmbeddings() {
        return true;
    }

    @Override
    public String toString() {
        return "CosineSimilarity()";
    }
}
