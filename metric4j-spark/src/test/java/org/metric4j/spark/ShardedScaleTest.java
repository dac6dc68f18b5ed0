package org.metric4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.Neighbours;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.io.NpyFormat;

/**
 * The sharded evaluation at scale, with what crosses the driver counted by Spark itself: task
 * result sizes ({@code TaskMetrics.resultSize()}) and the bytes of every broadcast piece the block
 * managers report ({@code SparkListenerBlockUpdated}), task binaries included.
 */
class ShardedScaleTest {

    static SparkSession spark;
    static final Traffic TRAFFIC = new Traffic();

    /** Bytes Spark reports: task results and broadcast pieces. */
    static final class Traffic extends SparkListener {
        final AtomicLong results = new AtomicLong();
        final AtomicLong maxResult = new AtomicLong();
        final AtomicLong tasks = new AtomicLong();
        final AtomicLong broadcast = new AtomicLong();
        final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                long r = end.taskMetrics().resultSize();
                results.addAndGet(r);
                maxResult.accumulateAndGet(r, Math::max);
                tasks.incrementAndGet();
            }
        }

        @Override
        public void onBlockUpdated(SparkListenerBlockUpdated u) {
            BlockId id = u.blockUpdatedInfo().blockId();
            long bytes = u.blockUpdatedInfo().memSize() + u.blockUpdatedInfo().diskSize();
            if (id.isBroadcast() && id.name().contains("_piece") && bytes > 0 && seen.add(id.name())) {
                broadcast.addAndGet(bytes);
            }
        }

        void reset() {
            settle();
            results.set(0);
            maxResult.set(0);
            tasks.set(0);
            broadcast.set(0);
        }

        void settle() {
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("Spark's listener bus did not drain in 60 s", e);
            }
        }
    }

    @BeforeAll
    static void start() {
        // a fresh context: a session another test class left running would ignore the setting
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        spark = SparkEngine.session("local[2]", Map.of("spark.driver.maxResultSize", "16m"));
        assertEquals("16m", spark.sparkContext().getConf().get("spark.driver.maxResultSize"));
        spark.sparkContext().addSparkListener(TRAFFIC);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** n float32-valued rows of d dimensions around {@code classes} means. */
    static EmbeddingSet clustered(long seed, int n, int classes, int d, double noise) {
        Random rnd = new Random(seed);
        Random meansRnd = new Random(99);
        double[][] means = new double[classes][d];
        for (double[] m : means) {
            for (int j = 0; j < d; j++) {
                m[j] = meansRnd.nextGaussian();
            }
        }
        double[] v = new double[n * d];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextInt(classes);
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) (means[(int) y[i]][j] + noise * rnd.nextGaussian());
            }
        }
        return new EmbeddingSet(v, n, d, y, null);
    }

    static Path[] write(EmbeddingSet set, Path dir, String name) throws Exception {
        Path e = dir.resolve(name + ".npy");
        Path l = dir.resolve(name + "-labels.npy");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(e))) {
            NpyFormat.write(out, set.values(), set.size(), set.dim(), DataType.FLOAT32);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(l))) {
            NpyFormat.writeLongs(out, set.labels());
        }
        return new Path[] {e, l};
    }

    static void assertSameReport(RetrievalMetrics.Report single, RetrievalMetrics.Report sharded) {
        assertEquals(single.k(), sharded.k(), "k");
        assertEquals(single.queries(), sharded.queries(), "queries");
        assertEquals(single.skippedQueries(), sharded.skippedQueries(), "skipped");
        assertEquals(single.precisionAt1(), sharded.precisionAt1(), 1e-9, "P@1");
        assertEquals(single.rPrecision(), sharded.rPrecision(), 1e-9, "R-Precision");
        assertEquals(single.meanAveragePrecisionAtR(), sharded.meanAveragePrecisionAtR(), 1e-9, "MAP@R");
        assertEquals(single.meanAveragePrecision(), sharded.meanAveragePrecision(), 1e-9, "MAP");
        assertEquals(single.meanReciprocalRank(), sharded.meanReciprocalRank(), 1e-9, "MRR");
        for (Map.Entry<Integer, Double> e : single.recallAtK().entrySet()) {
            assertEquals(e.getValue(), sharded.recallAtK().get(e.getKey()), 1e-9, "Recall@" + e.getKey());
        }
    }

    @Test
    void twoThousandQueriesAgainst200kReferencesEqualTheSingleMachineWithLittleTraffic(@TempDir Path dir)
            throws Exception {
        int d = 16;
        EmbeddingSet refs = clustered(1, 200_000, 2_000, d, 1.0);
        EmbeddingSet qs = clustered(2, 2_000, 2_000, d, 1.0);
        Path[] rf = write(refs, dir, "refs");
        Path[] qf = write(qs, dir, "queries");
        RetrievalMetrics.Report single;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(qs.values(), new Shape(qs.size(), d));
            NDArray r = m.create(refs.values(), new Shape(refs.size(), d));
            single = RetrievalMetrics.queryVsReference(q, qs.labels(), r, refs.labels(), KnnSearch.builder().build());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int block = 512;
        TRAFFIC.reset();
        EmbeddingRows references = EmbeddingRows.npy(jsc, rf[0], rf[1], null, 4);
        EmbeddingRows queries = EmbeddingRows.npy(jsc, qf[0], qf[1], null, 2);
        RetrievalMetrics.Report sharded = ShardedRetrieval.evaluate(queries, references, Neighbours.INCLUDE_SELF,
                block, "cpu");
        TRAFFIC.settle();
        references.unpersist();
        queries.unpersist();
        assertSameReport(single, sharded);
        assertTrue(single.k() >= 80, "k " + single.k());
        int blocks = (qs.size() + block - 1) / block;
        long blockBytes = (long) block * d * 8 + block * 8L;
        long nk = (long) qs.size() * single.k() * 8;
        long results = TRAFFIC.results.get();
        long broadcast = TRAFFIC.broadcast.get();
        System.out.printf("2,000 x 200,000 x %d: %d blocks, task results %d B over %d tasks (max %d B), broadcast "
                + "%d B; one query block %d B, n x k ids %d B%n", d, blocks, results, TRAFFIC.tasks.get(),
                TRAFFIC.maxResult.get(), broadcast, blockBytes, nk);
        // about one query block per block plus a handful of numbers per task (Spark's own ~2 KB
        // of metrics per task result)
        long perTask = 4096;
        assertTrue(results <= blocks * (long) (1.3 * blockBytes) + TRAFFIC.tasks.get() * perTask,
                "task results " + results + " B");
        assertTrue(broadcast <= blocks * (long) (1.3 * blockBytes) + 200_000, "broadcast " + broadcast + " B");
        assertTrue(broadcast >= blocks * blockBytes / 2, "the listener saw the query blocks: " + broadcast + " B");
        // nothing of size n x k reached the driver; the reference set (200,000 x 16 x 4 B) was never shipped
        assertTrue(results < nk / 2, "results " + results + " vs n x k " + nk);
        assertTrue(broadcast < 200_000L * d * 4 / 10, "broadcast " + broadcast);
    }

    @Test
    void leaveOneOutFromNpyRowRangesEqualsTheSingleMachine(@TempDir Path dir) throws Exception {
        EmbeddingSet set = clustered(3, 12_000, 300, 24, 1.5);
        Path[] f = write(set, dir, "e");
        RetrievalMetrics.Report single;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(set.values(), new Shape(set.size(), set.dim()));
            single = RetrievalMetrics.leaveOneOut(x, set.labels(), KnnSearch.builder().build(), 1, 3, 10);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        EmbeddingRows rows = EmbeddingRows.npy(jsc, f[0], f[1], null, 5);
        TRAFFIC.reset();
        // a block size that does not divide the set, so blocks straddle partitions
        RetrievalMetrics.Report sharded = ShardedRetrieval.leaveOneOut(rows, 1_000, "cpu", 1, 3, 10);
        TRAFFIC.settle();
        rows.unpersist();
        assertSameReport(single, sharded);
        // the queries are the references: each block comes from the partitions once, as a block
        int blocks = (set.size() + 999) / 1000;
        long blockBytes = 1000L * set.dim() * 8 + 1000 * 8L;
        long results = TRAFFIC.results.get();
        long broadcast = TRAFFIC.broadcast.get();
        System.out.printf("leave-one-out 12,000 x 24: %d blocks, task results %d B over %d tasks, broadcast %d B; "
                + "one query block %d B%n", blocks, results, TRAFFIC.tasks.get(), broadcast, blockBytes);
        assertTrue(results <= blocks * (long) (1.3 * blockBytes) + TRAFFIC.tasks.get() * 4096L,
                "task results " + results + " B");
        assertTrue(broadcast <= blocks * (long) (1.3 * blockBytes) + 200_000, "broadcast " + broadcast + " B");
    }

    @Test
    void parquetRowsInIdOrderEqualTheGatheredSet(@TempDir Path dir) throws Exception {
        EmbeddingSet set = clustered(4, 3_000, 60, 8, 1.0);
        List<Row> rows = new ArrayList<>();
        Random rnd = new Random(5);
        for (int i = 0; i < set.size(); i++) {
            Float[] e = new Float[set.dim()];
            for (int j = 0; j < e.length; j++) {
                e[j] = (float) set.values()[i * set.dim() + j];
            }
            // ids not in row order, and some failed rows that must be left out
            rows.add(RowFactory.create(String.format("p%05d", rnd.nextInt(1_000_000)) + "-" + i, set.labels()[i], e,
                    null));
            if (i % 500 == 0) {
                rows.add(RowFactory.create("bad" + i, 0L, null, "not a decodable image"));
            }
        }
        Path parquet = dir.resolve("emb.parquet");
        spark.createDataFrame(rows, SparkEmbedding.OUTPUT).repartition(3).write().parquet(parquet.toString());
        EmbeddingSet gathered = SparkEngine.load(spark, parquet, null, null);
        RetrievalMetrics.Report single;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(gathered.values(), new Shape(gathered.size(), gathered.dim()));
            single = RetrievalMetrics.leaveOneOut(x, gathered.labels(), KnnSearch.builder().build());
        }
        EmbeddingRows distributed = EmbeddingRows.parquet(spark, parquet, 4);
        assertEquals(set.size(), distributed.size());
        RetrievalMetrics.Report sharded = ShardedRetrieval.leaveOneOut(distributed, 700, "cpu");
        distributed.unpersist();
        assertSameReport(single, sharded);
    }

    @Test
    void verificationJoinsPairsToNpyRowsAsThePairsProtocolScoresThem(@TempDir Path dir) throws Exception {
        EmbeddingSet set = clustered(7, 400, 40, 12, 1.0);
        String[] names = new String[set.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = org.metric4j.eval.PairsFile.itemName("person" + set.labels()[i], i) + ".jpg";
        }
        set = set.withNames(names);
        Path[] f = write(set, dir, "v");
        Files.write(dir.resolve("v-names.txt"), List.of(names));
        Random rnd = new Random(8);
        List<String> lines = new ArrayList<>();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < 40; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < set.size(); i++) {
            byClass.get((int) set.labels()[i]).add(i);
        }
        lines.add("5\t20");
        for (int fold = 0; fold < 5; fold++) {
            for (int p = 0; p < 20; p++) {
                List<Integer> items = byClass.get(rnd.nextInt(40));
                lines.add("person" + set.labels()[items.get(0)] + "\t" + items.get(rnd.nextInt(items.size())) + "\t"
                        + items.get(rnd.nextInt(items.size())));
            }
            for (int p = 0; p < 20; p++) {
                int a = rnd.nextInt(40);
                int b = (a + 1 + rnd.nextInt(39)) % 40;
                List<Integer> ia = byClass.get(a);
                List<Integer> ib = byClass.get(b);
                lines.add("person" + a + "\t" + ia.get(rnd.nextInt(ia.size())) + "\tperson" + b + "\t"
                        + ib.get(rnd.nextInt(ib.size())));
            }
        }
        org.metric4j.eval.PairsFile pairs = org.metric4j.eval.PairsFile.parse(lines, "pairs");
        org.metric4j.eval.VerificationProtocol.Report single = org.metric4j.eval.PairVerification.evaluate(set, pairs,
                org.metric4j.eval.PairVerification.Score.COSINE, org.metric4j.eval.PairVerification.Missing.FAIL,
                org.metric4j.eval.VerificationProtocol.builder().optFolds(5).build()).report();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        EmbeddingRows rows = EmbeddingRows.npy(jsc, f[0], f[1], dir.resolve("v-names.txt"), 3);
        TRAFFIC.reset();
        org.metric4j.eval.VerificationProtocol.Report sharded = ShardedVerification.evaluate(rows, pairs, 3);
        TRAFFIC.settle();
        assertEquals(single.auc(), sharded.auc(), 0.0);
        assertEquals(single.accuracyMean(), sharded.accuracyMean(), 0.0);
        assertEquals(single.eer(), sharded.eer(), 0.0);
        assertEquals(single.tarAtFar(), sharded.tarAtFar());
        // the driver got about one score per pair, never the 400 x 12 rows
        assertTrue(TRAFFIC.broadcast.get() < 400 * 12 * 8, "broadcast " + TRAFFIC.broadcast.get());
        String[] first = lines.get(1).split("\t");
        lines.set(1, first[0] + "\t" + first[1] + "\t9999");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ShardedVerification.evaluate(rows, org.metric4j.eval.PairsFile.parse(lines, "pairs"), 3));
        assertTrue(e.getMessage().contains("line 2: no embedding for '" + first[0] + "/" + first[0] + "_9999'"), e.getMessage());
        rows.unpersist();
    }
}
