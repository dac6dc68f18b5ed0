package org.metric4j.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.metric4j.engine.DeviceNames;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.Neighbours;
import org.metric4j.eval.RetrievalMetrics;
import scala.Tuple2;

/**
 * Leave-one-out retrieval metrics with the reference set split over shards: every shard finds
 * each query's exact top-(depth + 1) among its own rows on the engine, the candidate lists are
 * merged per query (best score first, ties to the lower row, the query itself dropped), and the
 * metrics come from the merged lists ({@link RetrievalMetrics#fromNeighbours}): the numbers of
 * the single-machine {@link RetrievalMetrics#leaveOneOut} in float64. Scores are float64 so that
 * a shard's matrix product ranks exactly as the whole one does: in float32 the two products round
 * differently and near-ties swap (measured: R-Precision off by 4e-8 on 10,000 x 128).
 */
public final class ShardedRetrieval {

    private ShardedRetrieval() {}

    /**
     * The metrics.
     *
     * @param spark the session
     * @param set the embeddings with labels
     * @param shards the number of reference shards (partitions)
     * @param recallKs the Recall@K values (empty: the defaults)
     * @return the report
     */
    public static RetrievalMetrics.Report leaveOneOut(SparkSession spark, EmbeddingSet set, int shards,
            int... recallKs) {
        return leaveOneOut(spark, set, shards, "cpu", recallKs);
    }

    /**
     * Leave-one-out retrieval with every shard's k-NN search on a device of its executor.
     *
     * @param spark the session
     * @param set the embeddings with labels
     * @param shards the number of reference shards (partitions)
     * @param device DJL's device name on the executors ({@code cpu}, {@code gpu0}, ...)
     * @param recallKs the Recall@K values (empty: the defaults)
     * @return the report
     */
    public static RetrievalMetrics.Report leaveOneOut(SparkSession spark, EmbeddingSet set, int shards, String device,
            int... recallKs) {
        DeviceNames.parse(device);
        long[] labels = set.labels();
        if (labels == null) {
            throw new IllegalArgumentException("retrieval needs labels");
        }
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, got " + shards);
        }
        for (int r : recallKs.length == 0 ? RetrievalMetrics.DEFAULT_RECALL_KS : recallKs) {
            if (r < 1 || r > labels.length - 1) {
                throw new IllegalArgumentException("recall K must be in [1, " + (labels.length - 1)
                        + "] (the other items of a leave-one-out query), got " + r);
            }
        }
        int depth = RetrievalMetrics.depth(labels, Neighbours.EXCLUDE_SELF, recallKs);
        int n = set.size();
        int d = set.dim();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<double[]> queries = jsc.broadcast(set.values());
        List<Integer> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(i);
        }
        JavaRDD<Integer> references = jsc.parallelize(rows, shards);
        JavaPairRDD<Integer, Candidates> perShard = references.mapPartitionsToPair(
                part -> shardTopK(part, queries.value(), n, d, depth, device));
        Map<Integer, Candidates> merged = perShard.reduceByKey((a, b) -> a.merge(b, depth)).collectAsMap();
        long[][] neighbours = new long[n][];
        for (int q = 0; q < n; q++) {
            Candidates c = merged.get(q);
            neighbours[q] = c == null ? new long[0] : c.rows;
        }
        return RetrievalMetrics.fromNeighbours(labels, labels, neighbours, Neighbours.EXCLUDE_SELF, recallKs);
    }

    /** One shard: every query's best depth + 1 rows of the shard, the query itself left out. */
    private static Iterator<Tuple2<Integer, Candidates>> shardTopK(Iterator<Integer> part, double[] all, int n,
            int d, int depth, String device) {
        List<Integer> mine = new ArrayList<>();
        part.forEachRemaining(mine::add);
        List<Tuple2<Integer, Candidates>> out = new ArrayList<>();
        if (mine.isEmpty()) {
            return out.iterator();
        }
        double[] shard = new double[mine.size() * d];
        for (int r = 0; r < mine.size(); r++) {
            System.arraycopy(all, mine.get(r) * d, shard, r * d, d);
        }
        int k = Math.min(depth + 1, mine.size());
        try (NDManager m = NDManager.newBaseManager(DeviceNames.parse(device))) {
            NDArray q = m.create(all, new Shape(n, d));
            NDArray refs = m.create(shard, new Shape(mine.size(), d));
            KnnSearch.Result top = KnnSearch.builder().build().search(q, refs, k, Neighbours.INCLUDE_SELF);
            for (int i = 0; i < n; i++) {
                long[] idx = top.indices()[i];
                double[] sc = top.scores()[i];
                List<long[]> keep = new ArrayList<>();
                long[] rowsOut = new long[idx.length];
                double[] scoresOut = new double[idx.length];
                int c = 0;
                for (int j = 0; j < idx.length; j++) {
                    int global = mine.get((int) idx[j]);
                    if (global == i) {
                        continue;
                    }
                    rowsOut[c] = global;
                    scoresOut[c] = sc[j];
                    c++;
                }
                out.add(new Tuple2<>(i, new Candidates(java.util.Arrays.copyOf(rowsOut, c),
                        java.util.Arrays.copyOf(scoresOut, c)).truncate(depth)));
            }
        }
        return out.iterator();
    }

    /** A query's candidate rows, best first (score descending, ties to the lower row). */
    static final class Candidates implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final long[] rows;
        final double[] scores;

        Candidates(long[] rows, double[] scores) {
            this.rows = rows;
            this.scores = scores;
        }

        Candidates truncate(int depth) {
            return rows.length <= depth ? this : new Candidates(java.util.Arrays.copyOf(rows, depth),
                    java.util.Arrays.copyOf(scores, depth));
        }

        Candidates merge(Candidates other, int depth) {
            int total = Math.min(depth, rows.length + other.rows.length);
            long[] r = new long[total];
            double[] s = new double[total];
            int a = 0;
            int b = 0;
            for (int i = 0; i < total; i++) {
                boolean takeA = b >= other.rows.length || (a < rows.length && (scores[a] > other.scores[b]
                        || (scores[a] == other.scores[b] && rows[a] < other.rows[b])));
                if (takeA) {
                    r[i] = rows[a];
                    s[i] = scores[a++];
                } else {
                    r[i] = other.rows[b];
                    s[i] = other.scores[b++];
                }
            }
            return new Candidates(r, s);
        }
    }
}
