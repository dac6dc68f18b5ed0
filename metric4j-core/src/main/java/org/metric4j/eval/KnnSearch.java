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
 * references are the queries' own array, the prepared queries are reused. Equal scores are
 * ordered by smaller reference index (see {@link ExactTopK}), so the neighbours do not depend on
 * the blocks.
 *
 * <p>{@link Builder#optSymmetricBlock} multiplies, for an array against itself with COSINE or DOT,
 * only the upper triangle of square blocks (half the products) and takes each block's top-k along
 * its rows and its columns. It is off by default: the engine's top-k over rows as short as a
 * block costs about five times more per score than over the default 131,072-wide reference blocks
 * (4,096 x 4,096 at k = 101: 98 ms per block, against 18 ms per as many scores in 512 x 131,072
 * blocks, 2 threads), more than the half of the products saves: leave-one-out retrieval on 100,000
 * x 128 took 94.5 s that way and 66.2 s on the full path, whose products alone take 42.6 s (issue
 * #17, {@code bench --suite eval}).
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
    /**
     * Rows of the square blocks of the symmetric search when it is asked for without a size
     * (64 MiB of float32 scores per block and as much for its transpose); the search is off unless
     * {@link Builder#optSymmetricBlock} is called.
     */
    public static final int DEFAULT_SYMMETRIC_BLOCK = 4096;

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
    private final int symmetricBlock;

    private KnnSearch(Builder b) {
        this.metric = b.metric;
        this.queryBlock = b.queryBlock;
        this.referenceBlock = b.referenceBlock;
        this.symmetricBlock = b.symmetricBlock;
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
        try (NDScope outer = new NDScope(); NDManager kept = queries.getManager().newSubManager()) {
            // queries are prepared whole; references block by block, so no copy of the reference
            // set is ever made (it may be most of the memory); each reference block is prepared
            // once and met by every query block, and the queries themselves are not prepared twice
            NDArray qry = prepare(queries);
            Running best;
            int block;
            if (symmetricBlock > 0 && references == queries && metric != Metric.L2) {
                block = (int) Math.min(q, symmetricBlock);
                best = symmetric(qry, q, block, depth, kept);
            } else {
                block = queryBlock;
                best = blocks(qry, references == queries ? qry : null, references, q, m, depth, kept);
            }
            for (int b = 0; b < best.values.length; b++) {
                long qs = b * (long) block;
                collect(best.values[b], best.indices[b], qs, Math.min(q, qs + block), k, depth, excludeSelf,
                        indices, scores);
            }
        }
        return new Result(indices, scores);
    }

    /**
     * Every query block against every reference block.
     *
     * @param prepared the prepared references when they are the prepared queries, else null
     */
    private Running blocks(NDArray qry, NDArray prepared, NDArray references, long q, long m, int depth,
            NDManager kept) {
        int blocks = (int) ((q + queryBlock - 1) / queryBlock);
        NDArray[] qBlocks = new NDArray[blocks];
        NDArray[] qSq = new NDArray[blocks];
        for (int b = 0; b < blocks; b++) {
            qBlocks[b] = qry.get(b * (long) queryBlock + ":" + Math.min(q, (b + 1) * (long) queryBlock));
            qSq[b] = metric == Metric.L2 ? qBlocks[b].square().sum(new int[] {1}).reshape(-1, 1) : null;
        }
        Running best = new Running(blocks, depth, kept);
        for (long rs = 0; rs < m; rs += referenceBlock) {
            long re = Math.min(m, rs + referenceBlock);
            // the reference block's temporaries are freed before the next block
            try (NDScope refs = new NDScope()) {
                NDArray rb = prepared != null ? prepared.get(rs + ":" + re) : prepare(references.get(rs + ":" + re));
                NDArray rbT = rb.transpose();
                NDArray rbSq = metric == Metric.L2 ? rb.square().sum(new int[] {1}).reshape(1, -1) : null;
                for (int b = 0; b < blocks; b++) {
                    try (NDScope inner = new NDScope()) {
                        NDArray sim = qBlocks[b].matMul(rbT);
                        if (metric == Metric.L2) {
                            // larger is better: the negated squared distance
                            sim = sim.mul(2.0).sub(qSq[b]).sub(rbSq);
                        }
                        best.add(b, ExactTopK.select(sim, null, rs, depth + 1));
                    }
                }
            }
        }
        return best;
    }

    /**
     * The queries against themselves in square blocks of the upper triangle only: block (I, J)
     * with J {@code >=} I gives the rows of I their scores against J and, transposed, the rows of
     * J theirs against I (the product is symmetric), so half the products are computed.
     */
    private static Running symmetric(NDArray qry, long n, int block, int depth, NDManager kept) {
        int blocks = (int) ((n + block - 1) / block);
        Running best = new Running(blocks, depth, kept);
        for (int bi = 0; bi < blocks; bi++) {
            long is = bi * (long) block;
            try (NDScope rows = new NDScope()) {
                NDArray xi = qry.get(is + ":" + Math.min(n, is + block));
                for (int bj = bi; bj < blocks; bj++) {
                    long js = bj * (long) block;
                    try (NDScope inner = new NDScope()) {
                        NDArray xj = qry.get(js + ":" + Math.min(n, js + block));
                        NDArray sim = xi.matMul(xj.transpose());
                        best.add(bi, ExactTopK.select(sim, null, js, depth + 1));
                        if (bj > bi) {
                            // a contiguous copy of the transpose: the top-k then reads rows, not columns
                            NDArray simT = sim.transpose().flatten().reshape(sim.getShape().get(1), -1);
                            best.add(bj, ExactTopK.select(simT, null, is, depth + 1));
                        }
                    }
                }
            }
        }
        return best;
    }

    /** The running best of each query block, owned by a manager of its own. */
    private static final class Running {
        final NDArray[] values;
        final NDArray[] indices;
        private final int depth;
        private final NDManager manager;

        Running(int blocks, int depth, NDManager manager) {
            this.values = new NDArray[blocks];
            this.indices = new NDArray[blocks];
            this.depth = depth;
            this.manager = manager;
        }

        /** Merges a block's best into query block b's (called inside the block's scope). */
        void add(int b, NDArray[] top) {
            NDArray[] merged = values[b] == null ? top
                    : ExactTopK.select(values[b].concat(top[0], 1), indices[b].concat(top[1], 1), 0, depth + 1);
            NDScope.unregister(merged);
            for (NDArray a : merged) {
                a.attach(manager);
            }
            if (values[b] != null) {
                values[b].close();
                indices[b].close();
            }
            values[b] = merged[0];
            indices[b] = merged[1];
        }
    }

    private NDArray prepare(NDArray x) {
        NDArray f = x.getDataType() == DataType.FLOAT64 ? x : x.toType(DataType.FLOAT32, false);
        return metric == Metric.COSINE ? f.normalize(2, 1, 1e-12) : f;
    }

    /** The running best of a query block, sorted, into the result rows (the query itself dropped). */
    private void collect(NDArray bestValues, NDArray bestIndices, long qs, long qe, int k, int depth,
            boolean excludeSelf, long[][] indices, double[][] scores) {
        try (NDScope block = new NDScope()) {
            // the kept rows hold the depth best under (score, then smaller index): sorted by score,
            // equal scores by index, their first depth are those
            int width = (int) bestValues.getShape().get(1);
            NDList sorted = bestValues.topK(width, 1, true, true);
            NDArray order = sorted.get(1).toType(DataType.INT64, false);
            long[] idx = bestIndices.gather(order, 1).toLongArray();
            double[] val = sorted.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
            ExactTopK.breakTies(val, idx, width);
            for (int i = 0; i < qe - qs; i++) {
                long self = excludeSelf ? qs + i : -1;
                long[] row = new long[k];
                double[] sc = new double[k];
                int j = 0;
                for (int t = 0; t < depth && j < k; t++) {
                    long id = idx[i * width + t];
                    if (id == self) {
                        continue;
                    }
                    double v = val[i * width + t];
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
                + referenceBlock + ", symmetricBlock=" + symmetricBlock + ")";
    }

    /** Builder of {@link KnnSearch}. */
    public static final class Builder {
        private Metric metric = Metric.COSINE;
        private int queryBlock = DEFAULT_QUERY_BLOCK;
        private int referenceBlock = DEFAULT_REFERENCE_BLOCK;
        private int symmetricBlock;

        private Builder() {}

        /** How neighbours are ranked (default {@link Metric#COSINE}). */
        public Builder optMetric(Metric metric) {
            this.metric = java.util.Objects.requireNonNull(metric, "metric");
            return this;
        }

        /** Rows of queries per block, {@code >= 1} (default {@value #DEFAULT_QUERY_BLOCK}). */
        public Builder optQueryBlock(int queryBlock) {
            Inputs.atLeast("queryBlock", queryBlock, 1);
            this.queryBlock = queryBlock;
            return this;
        }

        /** Rows of references per block, {@code >= 1} (default {@value #DEFAULT_REFERENCE_BLOCK}). */
        public Builder optReferenceBlock(int referenceBlock) {
            Inputs.atLeast("referenceBlock", referenceBlock, 1);
            this.referenceBlock = referenceBlock;
            return this;
        }

        /**
         * Turns on the symmetric search (upper triangle of square blocks) when the references are
         * the queries' own array and the metric is COSINE or DOT, with square blocks of this many
         * rows, {@code >= 1} ({@value #DEFAULT_SYMMETRIC_BLOCK} is a good size). Default: off,
         * the full product in the query and reference blocks (faster on CPU, see the class).
         */
        public Builder optSymmetricBlock(int symmetricBlock) {
            Inputs.atLeast("symmetricBlock", symmetricBlock, 1);
            this.symmetricBlock = symmetricBlock;
            return this;
        }

        /** The search. */
        public KnnSearch build() {
            return new KnnSearch(this);
        }
    }
}
