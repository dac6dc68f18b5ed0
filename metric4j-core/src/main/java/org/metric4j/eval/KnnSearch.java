package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;
import org.metric4j.math.Inputs;

/**
 * Exact k-nearest-neighbour search in blocks on the engine: one matrix product per block of
 * queries and block of references, and a running top-k per query block merged reference block by
 * reference block, so memory is bounded by the block sizes, not by queries x references. Each
 * reference block is prepared (cast, normalized) once and met by every query block; when the
 * references are the queries' own array, the prepared queries are reused.
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
        // leave-one-out: search one more and drop the query itself (no mask over the block)
        int depth = excludeSelf ? k + 1 : k;
        int blocks = (int) ((q + queryBlock - 1) / queryBlock);
        try (NDScope outer = new NDScope(); NDManager best = queries.getManager().newSubManager()) {
            // queries are prepared whole; references block by block, so no copy of the reference
            // set is ever made (it may be most of the memory); each reference block is prepared
            // once and met by every query block, and the queries themselves are not prepared twice
            NDArray qry = prepare(queries);
            boolean same = references == queries;
            NDArray[] qBlocks = new NDArray[blocks];
            NDArray[] qSq = new NDArray[blocks];
            for (int b = 0; b < blocks; b++) {
                qBlocks[b] = qry.get(b * (long) queryBlock + ":" + Math.min(q, (b + 1) * (long) queryBlock));
                qSq[b] = metric == Metric.L2 ? qBlocks[b].square().sum(new int[] {1}).reshape(-1, 1) : null;
            }
            NDArray[] bestValues = new NDArray[blocks];
            NDArray[] bestIndices = new NDArray[blocks];
            for (long rs = 0; rs < m; rs += referenceBlock) {
                long re = Math.min(m, rs + referenceBlock);
                // the reference block's temporaries are freed before the next block
                try (NDScope refs = new NDScope()) {
                    NDArray rb = same ? qry.get(rs + ":" + re) : prepare(references.get(rs + ":" + re));
                    NDArray rbT = rb.transpose();
                    NDArray rbSq = metric == Metric.L2 ? rb.square().sum(new int[] {1}).reshape(1, -1) : null;
                    for (int b = 0; b < blocks; b++) {
                        NDArray[] merged = mergeBlock(qBlocks[b], qSq[b], rbT, rbSq, rs, re, depth,
                                bestValues[b], bestIndices[b]);
                        for (NDArray a : merged) {
                            a.attach(best);
                        }
                        if (bestValues[b] != null) {
                            bestValues[b].close();
                            bestIndices[b].close();
                        }
                        bestValues[b] = merged[0];
                        bestIndices[b] = merged[1];
                    }
                }
            }
            for (int b = 0; b < blocks; b++) {
                long qs = b * (long) queryBlock;
                collect(bestValues[b], bestIndices[b], qs, Math.min(q, qs + queryBlock), k, depth, excludeSelf,
                        indices, scores);
            }
        }
        return new Result(indices, scores);
    }

    private NDArray prepare(NDArray x) {
        NDArray f = x.getDataType() == DataType.FLOAT64 ? x : x.toType(DataType.FLOAT32, false);
        return metric == Metric.COSINE ? f.normalize(2, 1, 1e-12) : f;
    }

    /**
     * One query block against one reference block: the block's top {@code depth} merged into the
     * running best of the earlier reference blocks (null for the first).
     *
     * @return the new running values and indices, in no scope (the caller owns them)
     */
    private NDArray[] mergeBlock(NDArray qb, NDArray qbSq, NDArray rbT, NDArray rbSq, long rs, long re, int depth,
            NDArray bestValues, NDArray bestIndices) {
        try (NDScope inner = new NDScope()) {
            NDArray sim = qb.matMul(rbT);
            if (metric == Metric.L2) {
                // larger is better: the negated squared distance
                sim = sim.mul(2.0).sub(qbSq).sub(rbSq);
            }
            int kk = (int) Math.min(depth, re - rs);
            NDList top = sim.topK(kk, 1, true, false);
            NDArray values = top.get(0);
            NDArray idx = top.get(1).toType(DataType.INT64, false).add(rs);
            NDArray[] merged;
            if (bestValues == null) {
                merged = new NDArray[] {values, idx};
            } else {
                NDArray allValues = bestValues.concat(values, 1);
                NDArray allIdx = bestIndices.concat(idx, 1);
                NDList kept = allValues.topK(Math.min(depth, (int) allValues.getShape().get(1)), 1, true, false);
                merged = new NDArray[] {kept.get(0), allIdx.gather(kept.get(1).toType(DataType.INT64, false), 1)};
            }
            NDScope.unregister(merged);
            return merged;
        }
    }

    /** The running best of a query block, sorted, into the result rows (the query itself dropped). */
    private void collect(NDArray bestValues, NDArray bestIndices, long qs, long qe, int k, int depth,
            boolean excludeSelf, long[][] indices, double[][] scores) {
        try (NDScope block = new NDScope()) {
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
