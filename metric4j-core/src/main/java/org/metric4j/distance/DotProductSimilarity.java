package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Dot-product similarity \( x \cdot y \), by default on raw (unnormalized) embeddings as in
 * pytorch-metric-learning's {@code DotProductSimilarity} (the N-pair loss uses it).
 */
public final class DotProductSimilarity implements Distance {

    private final boolean normalize;

    private DotProductSimilarity(boolean normalize) {
        this.normalize = normalize;
    }

    /** Dot product of raw embeddings. */
    public static DotProductSimilarity create() {
        return new DotProductSimilarity(false);
    }

    /** Dot product of raw ({@link Normalization#NONE}) or L2-normalized embeddings (then equal to cosine). */
    public static DotProductSimilarity of(Normalization normalization) {
        return new DotProductSimilarity(Objects.requireNonNull(normalization, "normalization") == Normalization.L2);
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        NDArray q = maybeNormalize(query);
        NDArray r = query == reference ? q : maybeNormalize(reference);
        return q.matMul(r.transpose());
    }

    @Override
    public boolean isInverted() {
        return true;
    }

    @Override
    public boolean normalizesEmbeddings() {
        return normalize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DotProductSimilarity d && d.normalize == normalize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(normalize);
    }

    @Override
    public String toString() {
        return "DotProductSimilarity(normalize=" + normalize + ")";
    }
}
