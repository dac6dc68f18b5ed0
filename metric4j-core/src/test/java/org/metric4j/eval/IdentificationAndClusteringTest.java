package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.NpyFormat;

/** Identification, exact kNN, clustering metrics and embedding files. */
class IdentificationAndClusteringTest {

    @Test
    void knnMatchesBruteForceAcrossBlocks() {
        try (NDManager m = TestDevice.manager()) {
            Random rnd = new Random(5);
            int n = 97;
            int d = 6;
            float[] v = new float[n * d];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
            NDArray x = m.create(v, new Shape(n, d));
            for (KnnSearch.Metric metric : KnnSearch.Metric.values()) {
                KnnSearch search = KnnSearch.builder().optMetric(metric).optQueryBlock(10).optReferenceBlock(13).build();
                KnnSearch.Result r = search.search(x, x, 5, Neighbours.EXCLUDE_SELF);
                for (int i = 0; i < n; i++) {
                    long[] expected = bruteForce(v, n, d, i, 5, metric);
                    assertArrayEquals(expected, r.indices()[i], metric + " query " + i);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KnnSearch.builder().build().search(x, x, n, Neighbours.EXCLUDE_SELF));
            assertTrue(e.getMessage().contains("k must be in [1, " + (n - 1) + "]"), e.getMessage());
        }
    }

    private static long[] bruteForce(float[] v, int n, int d, int q, int k, KnnSearch.Metric metric) {
        double[] score = KnnSearchTest.scores(v, v, n, d, q, metric);
        score[q] = Double.NEGATIVE_INFINITY;
        return java.util.stream.IntStream.range(0, n).boxed()
                .sorted((a, b) -> Double.compare(score[b], score[a])).limit(k)
                .mapToLong(Integer::longValue).toArray();
    }

    @Test
    void cmcAndOpenSetDir() {
        try (NDManager m = TestDevice.manager()) {
            // gallery: identities 0 and 1 with two templates each, identity 2 with one
            float[] g = {1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f, -1, 0};
            long[] gl = {0, 0, 1, 1, 2};
            // probes: near 0 (mated), near 1 but closer to 2's direction? no: near 1, and an unknown one
            float[] p = {0.95f, 0.05f, 0.3f, 1, -0.2f, -1};
            long[] pl = {0, 1, 9};
            Identification.Report r = Identification.evaluate(m.create(p, new Shape(3, 2)), pl,
                    m.create(g, new Shape(5, 2)), gl, 3, new double[] {0.5}, KnnSearch.builder().build());
            assertEquals(2, r.matedProbes());
            assertEquals(1, r.nonMatedProbes());
            assertArrayEquals(new double[] {1, 1, 1}, r.cmc(), 1e-12);
            // the unknown probe's best score sets the threshold at FPIR 0.5: floor(0.5 * 1) = 0 allowed
            double t = r.thresholds().get(0.5);
            assertTrue(t > 0 && t < 1, "threshold " + t);
            assertEquals(1.0, r.dirAtFpir().get(0.5), 1e-12);
        }
    }

    @Test
    void nmiOfAKnownExample() {
        int[] truth = {0, 0, 0, 1, 1, 1};
        int[] pred = {0, 0, 1, 1, 2, 2};
        double mi = 2 * (1 / 3.0) * Math.log(2);
        assertEquals(mi / ((Math.log(2) + Math.log(3)) / 2), Clustering.nmi(truth, pred), 1e-12);
        assertEquals(1.0, Clustering.nmi(truth, new int[] {1, 1, 1, 0, 0, 0}), 1e-12);
        assertEquals(1.0, Clustering.ami(truth, new int[] {1, 1, 1, 0, 0, 0}), 1e-12);
    }

    @Test
    void amiAveragesToZeroOverRandomPermutations() {
        int[] truth = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3};
        int[] pred = {0, 0, 1, 1, 1, 2, 2, 2, 0, 3, 3, 1};
        Random rnd = new Random(9);
        double sum = 0;
        int trials = 4000;
        for (int t = 0; t < trials; t++) {
            int[] p = pred.clone();
            for (int i = p.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int tmp = p[i];
                p[i] = p[j];
                p[j] = tmp;
            }
            sum += Clustering.ami(truth, p);
        }
        assertEquals(0.0, sum / trials, 0.02, "AMI of random labelings should average 0");
    }

    @Test
    void kMeansRecoversSeparatedClusters() {
        Random rnd = new Random(2);
        int perClass = 30;
        int classes = 4;
        double[] x = new double[perClass * classes * 2];
        long[] y = new long[perClass * classes];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % classes;
            x[2 * i] = 10 * Math.cos(y[i] * Math.PI / 2) + rnd.nextGaussian();
            x[2 * i + 1] = 10 * Math.sin(y[i] * Math.PI / 2) + rnd.nextGaussian();
        }
        Clustering.Report r = Clustering.evaluate(x, y.length, 2, y, 1, 100);
        assertEquals(1.0, r.nmi(), 1e-9);
        assertEquals(1.0, r.ami(), 1e-9);
    }

    @Test
    void npyAndCsvRoundTrip(@TempDir Path dir) throws Exception {
        double[] v = {1.5, -2, 3.25, 0, 1e-3, 7};
        EmbeddingSet set = new EmbeddingSet(v, 3, 2, new long[] {4, 5, 4}, new String[] {"a", "b", "c"});
        EmbeddingFiles.writeNpy(set, dir.resolve("e.npy"), dir.resolve("l.npy"), DataType.FLOAT32);
        EmbeddingSet back = EmbeddingFiles.readNpy(dir.resolve("e.npy"), dir.resolve("l.npy"));
        assertArrayEquals(v, back.values(), 1e-6);
        assertArrayEquals(new long[] {4, 5, 4}, back.labels());
        EmbeddingFiles.writeCsv(set, dir.resolve("e.csv"));
        EmbeddingSet csv = EmbeddingFiles.readCsv(dir.resolve("e.csv"));
        assertArrayEquals(v, csv.values(), 1e-8);
        assertArrayEquals(new String[] {"a", "b", "c"}, csv.names());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyFormat.write(out, v, 2, 3, DataType.FLOAT64);
        NpyFormat.Array a = NpyFormat.read(new ByteArrayInputStream(out.toByteArray()), "mem");
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals("<f8", a.descr());
        assertEquals(0, (out.size() - 6 * 8) % 64, "the .npy header is padded to 64 bytes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingSet(new double[] {1, Double.NaN}, 1, 2, null, null));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingSet(new double[] {1, 2}, 1, 2, new long[] {1, 2}, null));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
    }
}
