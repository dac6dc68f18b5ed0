package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.metric4j.distance.BatchedDistance;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.DotProductSimilarity;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;

/**
 * Which embeddings match under a distance and a threshold (PML's {@code MatchFinder}): a pair
 * matches when \( s(q, r) \ge t \) for a similarity (cosine, dot product) and when
 * \( d(q, r) \le t \) for a distance (L2). {@link #matchingPairs} finds every matching (query,
 * reference) pair, one block of queries at a time so that memory stays bounded by the block
 * (PML builds the whole Q x M matrix); {@link #isMatch} tells whether row i of x matches row i of
 * y.
 *
 * <p>Defaults are those of PML's {@code InferenceModel}: cosine similarity, threshold
 * {@value #DEFAULT_THRESHOLD}.
 */
public final class MatchFinder {

    /** Default threshold (PML's InferenceModel: cosine 0.9). */
    public static final double DEFAULT_THRESHOLD = 0.9;

    /** Default queries per block. */
    public static final int DEFAULT_QUERY_BLOCK = 1024;

    private final Distance distance;
    private final double threshold;
    private final int queryBlock;

    private MatchFinder(Builder b) {
        this.distance = b.distance;
        this.threshold = b.threshold;
        this.queryBlock = b.queryBlock;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The distance. */
    public Distance distance() {
        return distance;
    }

    /** The default threshold. */
    public double threshold() {
        return threshold;
    }

    /** {@link #matchingPairs(NDArray, NDArray, double)} with the default threshold. */
    public long[][] matchingPairs(NDArray queries, NDArray references) {
        return matchingPairs(queries, references, threshold);
    }

    /** The matching pairs of a set against itself, (i, i) included as in PML. */
    public long[][] matchingPairs(NDArray embeddings) {
        return matchingPairs(embeddings, embeddings, threshold);
    }

    /**
     * Every (query, reference) pair that matches.
     *
     * @param queries Q x D
     * @param references M x D
     * @param threshold the similarity at or above which (distance at or below which) pairs match
     * @return rows {@code {q, r}}, by query then reference (PML's {@code return_tuples=True})
     */
    public long[][] matchingPairs(NDArray queries, NDArray references, double threshold) {
        long q = Inputs.embeddings("queries", queries);
        Inputs.embeddings("references", references);
        Inputs.sameWidth("queries", queries, "references", references);
        Inputs.finite("threshold", threshold);
        List<long[]> pairs = new ArrayList<>();
        for (long qs = 0; qs < q; qs += queryBlock) {
            long qe = Math.min(q, qs + queryBlock);
            try (NDScope scope = new NDScope()) {
                NDArray mat = distance.matrix(queries.get(qs + ":" + qe).stopGradient(), references.stopGradient());
                NDArray hit = distance.isInverted() ? mat.gte(threshold) : mat.lte(threshold);
                long[] flat = hit.nonzero().toType(DataType.INT64, false).toLongArray();
                for (int i = 0; i < flat.length; i += 2) {
                    pairs.add(new long[] {qs + flat[i], flat[i + 1]});
                }
            }
        }
        return pairs.toArray(new long[0][]);
    }

    /** {@link #isMatch(NDArray, NDArray, double)} with the default threshold. */
    public boolean[] isMatch(NDArray x, NDArray y) {
        return isMatch(x, y, threshold);
    }

    /**
     * Whether row i of {@code x} matches row i of {@code y} (pairs already formed, e.g. the two
     * faces of a verification pair).
     *
     * @param x N x D
     * @param y N x D
     * @param threshold as in {@link #matchingPairs(NDArray, NDArray, double)}
     * @return N answers
     */
    public boolean[] isMatch(NDArray x, NDArray y, double threshold) {
        long n = Inputs.embeddings("x", x);
        Inputs.embeddings("y", y);
        Inputs.sameShape("x", x, "y", y);
        Inputs.finite("threshold", threshold);
        double[] d = pairwise(x.stopGradient(), y.stopGradient());
        boolean[] out = new boolean[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = distance.isInverted() ? d[i] >= threshold : d[i] <= threshold;
        }
        return out;
    }

    /** The distance of row i of x to row i of y (PML's {@code pairwise_distance}). */
    private double[] pairwise(NDArray x, NDArray y) {
        Distance base = distance instanceof BatchedDistance bd ? bd.distance() : distance;
        try (NDScope scope = new NDScope()) {
            NDArray d;
            if (base instanceof LpDistance lp) {
                d = lp.rowwise(x, y);
            } else if (base instanceof CosineSimilarity || base instanceof DotProductSimilarity) {
                d = base.maybeNormalize(x).mul(base.maybeNormalize(y)).sum(new int[] {1});
            } else {
                // any other distance: the diagonal of its matrix, one row at a time
                long n = x.getShape().get(0);
                double[] out = new double[(int) n];
                for (long i = 0; i < n; i++) {
                    out[(int) i] = base.matrix(x.get(i + ":" + (i + 1)), y.get(i + ":" + (i + 1)))
                            .toType(DataType.FLOAT64, false).getDouble(0, 0);
                }
                return out;
            }
            return d.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    @Override
    public String toString() {
        return "MatchFinder(distance=" + distance + ", threshold=" + threshold + ")";
    }

    /** Builder of {@link MatchFinder}. */
    public static final class Builder {
        private Distance distance = CosineSimilarity.create();
        private double threshold = DEFAULT_THRESHOLD;
        private int queryBlock = DEFAULT_QUERY_BLOCK;

        private Builder() {}

        /** The distance (default cosine similarity). */
        public Builder optDistance(Distance distance) {
            this.distance = Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The default threshold (default {@value #DEFAULT_THRESHOLD}, a cosine). */
        public Builder optThreshold(double threshold) {
            this.threshold = Inputs.finite("threshold", threshold);
            return this;
        }

        /** Queries per block of {@link #matchingPairs}, {@code >= 1} (default {@value #DEFAULT_QUERY_BLOCK}). */
        public Builder optQueryBlock(int queryBlock) {
            Inputs.atLeast("queryBlock", queryBlock, 1);
            this.queryBlock = queryBlock;
            return this;
        }

        /** The match finder. */
        public MatchFinder build() {
            return new MatchFinder(this);
        }
    }
}
