package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;
import org.metric4j.math.Inputs;

/**
 * Exact k-nearest-neighbour search in blocks on the engine: for each block of queries, one
 * matrix product per block of references and a running top-k merged block by block, so memory is
 * bounded by the block sizes, not by queries x references.
 *
 * <p>Metrics: {@link Metric#COSINE} (dot product of L2-normalized rows; on unit vectors the same
 * ranking as L2), {@link Metric#DOT} and {@link Metric#L2}. Results are ordered best first; with
 * {@link Neighbours#EXCLUDE_SELF} query i never returns reference i (leave-one-out, queries = references:
 * k + 1 neighbours are searched and the query itself is dropped, so no mask is built).
 * Defaults: {@value #DEFAULT_QUERY_BLOCK} queries x {@value #DEFAULT_REFERENCE_BLOCK} references
 * per block (256 MiB of float32 scores): few, wide blocks, since each block pays one top-k pass.
 */
public final class KnnSearch {

    /** Default rows of queries per block. */
    public static final int DEFAULT_QUERY_BLOCK = 512;
    /** Default rows of references per block. */
    public static final int DEFAULT_REFERENCE_BLOCK = 131072;

    /** How neighbours are ranked. */
    public enum Metric {
        /** Cosine similarity, larger first. */
        COSINE,
        /** Dot product, larger first. */
        DOT,
        /** Euclidean distance, smaller first (scores are reported as distances). */
        L2
    }

    /**
     * Neighbours of every query, best first.
     *
     * @param indices Q x k reference indices
     * @param scores Q x k similarities (COSINE, DOT) or distances (L2)
     */
    public record Result(long[][] indices, double[][] scores) {}

    private final Metric metric;
    private final int queryBlock;
    private final int referenceBlock;

    private KnnSearch(Builder b) {
        this.metric = b.metric;
        this.queryBlock = b.queryBlock;
        this.referenceBlock = b.referenceBlock;
    }

    /** A builder: cosine search with the default blocks. */
    public static Builder builder() {
        return new Builder();
    }

    /** The metric. */
    public Metric metric() {
        return metric;
    }

    /**
     * The k nearest references of every query.
     *
     * @param queries Q x D
     * @param references M x D
     * @param k neighbours per query, 1 {@code <=} k {@code <=} M (M - 1 with {@link Neighbours#EXCLUDE_SELF})
     * @param neighbours {@link Neighbours#EXCLUDE_SELF}: query i must not return reference i
     *     (queries = references); {@link Neighbours#INCLUDE_SELF}: every reference may be returned
     * @return indices and scores, best first
     */
    public Result search(NDArray queries, NDArray references, int k, Neighbours neighbours) {
        boolean excludeSelf = Objects.requireNonNull(neighbours, "neighbours").excludesSelf();
        long q = Inputs.embeddings("queries", queries);
        long m = Inputs.embeddings("references", references);
        Inputs.sameWidth("queries", queries, "references", references);
        long available = excludeSelf ? m - 1 : m;
        if (k < 1 || k > available) {
            throw new IllegalArgumentException(
                    "k must be in [1, " + available + "] (the reference set"
                            + (excludeSelf ? " without the query itself" : "") + "), got " + k);
        }
        if (excludeSelf && q != m) {
            throw new IllegalArgumentException(
                    "EXCLUDE_SELF needs queries = references, got " + q + " queries and " + m + " references");
        }
        long[][] indices = new long[(int) q][];
        double[][] scores = new double[(int) q][];
        try (NDScope outer = new NDScope()) {
            // queries are prepared whole; references block by block, so no copy of the reference
            // set is ever made (it may be most of the memory)
            NDArray qry = prepare(queries);
            for (long qs = 0; qs < q; qs += queryBlock) {
                long qe = Math.min(q, qs + queryBlock);
                searchBlock(qry, references, qs, qe, m, k, excludeSelf, indices, scores);
            }
        }
        return new Result(indices, scores);
    }

    private NDArray prepare(NDArray x) {
        NDArray f = x.getDataType() == DataType.FLOAT64 ? x : x.toType(DataType.FLOAT32, false);
        return metric == Metric.COSINE ? f.normalize(2, 1, 1e-12) : f;
    }

    private void searchBlock(NDArray qry, NDArray references, long qs, long qe, long m, int k,
            boolean excludeSelf, long[][] indices, double[][] scores) {
        // leave-one-out: search one more and drop the query itself (no mask over the block)
        int depth = excludeSelf ? k + 1 : k;
        try (NDScope block = new NDScope()) {
            NDArray qb = qry.get(qs + ":" + qe);
            NDArray qbSq = metric == Metric.L2 ? qb.square().sum(new int[] {1}).reshape(-1, 1) : null;
            NDArray bestValues = null;
            NDArray bestIndices = null;
            for (long rs = 0; rs < m; rs += referenceBlock) {
                long re = Math.min(m, rs + referenceBlock);
                NDArray[] merged;
                // each reference block's temporaries are freed before the next block
                try (NDScope inner = new NDScope()) {
                    NDArray rb = prepare(references.get(rs + ":" + re));
                    NDArray sim = qb.matMul(rb.transpose());
                    if (metric == Metric.L2) {
                        // larger is better: the negated squared distance
                        sim = sim.mul(2.0).sub(qbSq).sub(rb.square().sum(new int[] {1}).reshape(1, -1));
                    }
                    int kk = (int) Math.min(depth, re - rs);
                    NDList top = sim.topK(kk, 1, true, false);
                    NDArray values = top.get(0);
                    NDArray idx = top.get(1).toType(DataType.INT64, false).add(rs);
                    if (bestValues == null) {
                        merged = new NDArray[] {values, idx};
                    } else {
                        NDArray allValues = bestValues.concat(values, 1);
                        NDArray allIdx = bestIndices.concat(idx, 1);
                        NDList best = allValues.topK(Math.min(depth, (int) allValues.getShape().get(1)), 1, true, false);
                        merged = new NDArray[] {best.get(0),
                            allIdx.gather(best.get(1).toType(DataType.INT64, false), 1)};
                    }
                    NDScope.unregister(merged);
                }
                NDScope.register(merged[0]);
                NDScope.register(merged[1]);
                if (bestValues != null) {
                    bestValues.close();
                    bestIndices.close();
                }
                bestValues = merged[0];
                bestIndices = merged[1];
            }
            NDList sorted = bestValues.topK(depth, 1, true, true);
            NDArray order = sorted.get(1).toType(DataType.INT64, false);
            long[] idx = bestIndices.gather(order, 1).toLongArray();
            double[] val = sorted.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
            for (int i = 0; i < qe - qs; i++) {
                long self = excludeSelf ? qs + i : -1;
                long[] row = new long[k];
                double[] sc = new double[k];
                int j = 0;
                for (int t = 0; t < depth && j < k; t++) {
                    long id = idx[i * depth + t];
                    if (id == self) {
                        continue;
                    }
                    double v = val[i * depth + t];
                    row[j] = id;
                    sc[j++] = metric == Metric.L2 ? Math.sqrt(Math.max(0, -v)) : v;
                }
                indices[(int) qs + i] = row;
                scores[(int) qs + i] = sc;
            }
        }
    }

    @Override
    public String toString() {
        return "KnnSearch(metric=" + metric + ", queryBlock=" + queryBlock + ", referenceBlock="
                + referenceBlock + ")";
    }

    /** Builder of {@link KnnSearch}. */
    public static final class Builder {
        private Metric metric = Metric.COSINE;
        private int queryBlock = DEFAULT_QUERY_BLOCK;
        private int referenceBlock = DEFAULT_REFERENCE_BLOCK;

        private Builder() {}

        /** How neighbours are ranked (default {@link Metric#COSINE}). */
        public Builder optMetric(Metric metric) {
            this.metric = java.util.Objects.requireNonNull(metric, "metric");
            return this;
        }

        /** Rows of queries per block, {@code >= 1} (default {@value #DEFAULT_QUERY_BLOCK}). */
        public Builder optQueryBlock(int queryBlock) {
            if (queryBlock < 1) {
                throw new IllegalArgumentException("queryBlock must be >= 1, got " + queryBlock);
            }
            this.queryBlock = queryBlock;
            return this;
        }

        /** Rows of references per block, {@code >= 1} (default {@value #DEFAULT_REFERENCE_BLOCK}). */
        public Builder optReferenceBlock(int referenceBlock) {
            if (referenceBlock < 1) {
                throw new IllegalArgumentException("referenceBlock must be >= 1, got " + referenceBlock);
            }
            this.referenceBlock = referenceBlock;
            return this;
        }

        /** The search. */
        public KnnSearch build() {
            return new KnnSearch(this);
        }
    }
}
