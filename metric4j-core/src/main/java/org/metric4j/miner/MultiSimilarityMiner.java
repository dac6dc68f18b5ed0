package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Pair mining of the multi-similarity loss (Wang et al. 2019, arXiv:1904.06627; PML's {@code
 * MultiSimilarityMiner}). With a similarity: a negative pair (a, n) is kept when \( s_{an} +
 * \epsilon > \min_p s_{ap} \), a positive pair (a, p) when \( s_{ap} - \epsilon \lt \max_n s_{an}
 * \). With a distance the comparisons flip.
 *
 * <p>Defaults (PML's): epsilon {@value #DEFAULT_EPSILON}, cosine similarity.
 */
public final class MultiSimilarityMiner extends MatrixPairMiner {

    /** Default epsilon. */
    public static final double DEFAULT_EPSILON = 0.1;

    private final double epsilon;
    private final Distance distance;

    private MultiSimilarityMiner(Builder b) {
        super(b.distance);
        this.epsilon = b.epsilon;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    PairIndices mine(MiningBatch batch) {
        NDArray mat = batch.matrix();
        NDArray pos = batch.masks().positive();
        NDArray neg = batch.masks().negative();
        NDArray posInf = NDMath.scalarLike(mat, Double.POSITIVE_INFINITY);
        NDArray negInf = NDMath.scalarLike(mat, Double.NEGATIVE_INFINITY);
        int[] row = {1};
        NDArray keepPos;
        NDArray keepNeg;
        if (distance.isInverted()) {
            NDArray hardestNeg = NDArrays.where(neg, mat, negInf).max(row, true);
            NDArray easiestPos = NDArrays.where(pos, mat, posInf).min(row, true);
            keepPos = mat.sub(epsilon).lt(hardestNeg);
            keepNeg = mat.add(epsilon).gt(easiestPos);
        } else {
            NDArray hardestNeg = NDArrays.where(neg, mat, posInf).min(row, true);
            NDArray easiestPos = NDArrays.where(pos, mat, negInf).max(row, true);
            keepPos = mat.add(epsilon).gt(hardestNeg);
            keepNeg = mat.sub(epsilon).lt(easiestPos);
        }
        return new PairIndices(keepPos.logicalAnd(pos), keepNeg.logicalAnd(neg));
    }

    @Override
    public String toString() {
        return "MultiSimilarityMiner(epsilon=" + epsilon + ", distance=" + distance + ")";
    }

    /** Builder of {@link MultiSimilarityMiner}. */
    public static final class Builder {
        private double epsilon = DEFAULT_EPSILON;
        private Distance distance = CosineSimilarity.create();

        private Builder() {}

        /** The slack epsilon of both comparisons (default {@value #DEFAULT_EPSILON}). */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = Inputs.finite("epsilon", epsilon);
            return this;
        }

        /** The distance or similarity (default cosine). */
        public Builder optDistance(Distance distance) {
            this.distance = java.util.Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The miner. */
        public MultiSimilarityMiner build() {
            return new MultiSimilarityMiner(this);
        }
    }
}
