package org.metric4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.PairVerification;
import org.metric4j.eval.PairsFile;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.eval.VerificationProtocol;

/** Sharded exact evaluation in {@code local[2]} gives issue 4's single-machine numbers. */
class ShardedMetricsTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkEngine.session("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** n embeddings of d dimensions, classes means plus noise, float32 values. */
    static EmbeddingSet clustered(long seed, int n, int classes, int d) {
        Random rnd = new Random(seed);
        double[][] means = new double[classes][d];
        for (double[] m : means) {
            for (int j = 0; j < d; j++) {
                m[j] = rnd.nextGaussian();
            }
        }
        double[] v = new double[n * d];
        long[] y = new long[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            names[i] = PairsFile.itemName("person" + y[i], i);
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) (means[(int) y[i]][j] + 2.0 * rnd.nextGaussian());
            }
        }
        return new EmbeddingSet(v, n, d, y, names);
    }

    @Test
    void shardedRetrievalEqualsSingleMachineOn10000x128OverFourPartitions() {
        EmbeddingSet set = clustered(1, 10_000, 100, 128);
        RetrievalMetrics.Report single;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(set.values(), new Shape(set.size(), set.dim()));
            single = RetrievalMetrics.leaveOneOut(x, set.labels(), KnnSearch.builder().build());
        }
        RetrievalMetrics.Report sharded = ShardedRetrieval.leaveOneOut(spark, set, 4);
        assertEquals(single.k(), sharded.k());
        assertEquals(single.queries(), sharded.queries());
        assertEquals(single.precisionAt1(), sharded.precisionAt1(), 1e-12);
        assertEquals(single.rPrecision(), sharded.rPrecision(), 1e-12);
        assertEquals(single.meanAveragePrecisionAtR(), sharded.meanAveragePrecisionAtR(), 1e-12);
        assertEquals(single.meanReciprocalRank(), sharded.meanReciprocalRank(), 1e-12);
        assertEquals(single.recallAtK(), sharded.recallAtK());
        System.out.println("10k x 128 over 4 shards: P@1 " + sharded.precisionAt1() + ", MAP@R "
                + sharded.meanAveragePrecisionAtR());
    }

    @Test
    void shardedVerificationEqualsThePairsProtocol() {
        EmbeddingSet set = clustered(2, 600, 60, 32);
        Random rnd = new Random(3);
        List<String> lines = new ArrayList<>();
        lines.add("10\t30");
        for (int fold = 0; fold < 10; fold++) {
            for (int i = 0; i < 30; i++) { // same person: items c + 60 a and c + 60 b of class c
                int c = rnd.nextInt(60);
                lines.add("person" + c + "\t" + (c + 60 * rnd.nextInt(5)) + "\t" + (c + 60 * (5 + rnd.nextInt(5))));
            }
            for (int i = 0; i < 30; i++) {
                int a = rnd.nextInt(60);
                int b = (a + 1 + rnd.nextInt(59)) % 60;
                lines.add("person" + a + "\t" + (a + 60 * rnd.nextInt(10)) + "\tperson" + b + "\t"
                        + (b + 60 * rnd.nextInt(10)));
            }
        }
        PairsFile pairs = PairsFile.parse(lines, "test pairs");
        VerificationProtocol.Report single = PairVerification.evaluate(set, pairs, PairVerification.Score.COSINE,
                PairVerification.Missing.FAIL, VerificationProtocol.builder().optFolds(10).build()).report();
        VerificationProtocol.Report sharded = ShardedVerification.evaluate(spark, set, pairs, 4);
        assertEquals(single.accuracyMean(), sharded.accuracyMean(), 0.0);
        assertEquals(single.auc(), sharded.auc(), 0.0);
        assertEquals(single.eer(), sharded.eer(), 0.0);
        assertArrayEquals(single.foldAccuracies(), sharded.foldAccuracies(), 0.0);
        assertEquals(single.tarAtFar(), sharded.tarAtFar());
    }
}
