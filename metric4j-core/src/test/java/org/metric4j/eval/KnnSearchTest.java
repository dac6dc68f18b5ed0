package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;

/**
 * {@link KnnSearch} against a brute force in Java: a query set apart from the references, met
 * block by block (every reference block prepared once for all query blocks), in several block
 * shapes.
 */
class KnnSearchTest {

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void queriesApartFromTheReferencesMatchBruteForceInEveryBlockShape() {
        try (NDManager m = TestDevice.manager()) {
            Random rnd = new Random(11);
            int q = 23;
            int n = 61;
            int d = 5;
            int k = 4;
            float[] qv = gaussian(rnd, q * d);
            float[] rv = gaussian(rnd, n * d);
            NDArray queries = m.create(qv, new Shape(q, d));
            NDArray references = m.create(rv, new Shape(n, d));
            int[][] blocks = {{512, 131072}, {7, 9}, {1, 61}, {23, 1}};
            for (KnnSearch.Metric metric : KnnSearch.Metric.values()) {
                for (int[] b : blocks) {
                    KnnSearch.Result r = KnnSearch.builder().optMetric(metric).optQueryBlock(b[0])
                            .optReferenceBlock(b[1]).build().search(queries, references, k, Neighbours.INCLUDE_SELF);
                    for (int i = 0; i < q; i++) {
                        double[] s = scores(qv, rv, n, d, i, metric);
                        long[] expected = IntStream.range(0, n).boxed()
                                .sorted((a, c) -> Double.compare(s[c], s[a])).limit(k)
                                .mapToLong(Integer::longValue).toArray();
                        String where = metric + " blocks " + b[0] + " x " + b[1] + " query " + i;
                        assertArrayEquals(expected, r.indices()[i], where);
                        for (int j = 0; j < k; j++) {
                            double want = metric == KnnSearch.Metric.L2 ? Math.sqrt(-s[(int) expected[j]])
                                    : s[(int) expected[j]];
                            assertEquals(want, r.scores()[i][j], 1e-5, where + " rank " + j);
                        }
                    }
                }
            }
        }
    }

    /**
     * Leave-one-out of an array against itself with optSymmetricBlock takes the half-block path;
     * against a copy of itself, the full path. On rows of -1, 0 and 1 with dot products (exact in
     * float32), whose scores tie across labels at many ranks, both give the same neighbours, scores
     * and metrics, equal scores in order of index. On Gaussian rows where rows 100.. duplicate rows
     * 0.. (same label), scores agree to 1e-6 (the blocks' products may round differently),
     * neighbours agree up to a row and its duplicate, and the metrics are equal.
     */
    @Test
    void theSymmetricHalfGivesTheNeighboursAndMetricsOfTheFullSearch() {
        try (NDManager m = TestDevice.manager()) {
            Random rnd = new Random(3);
            int n = 150;
            int d = 4;
            float[] gaussian = gaussian(rnd, n * d);
            for (int i = 100; i < n; i++) {
                System.arraycopy(gaussian, (i - 100) * d, gaussian, i * d, d);
            }
            float[] ternary = new float[n * d];
            for (int i = 0; i < ternary.length; i++) {
                ternary[i] = rnd.nextInt(3) - 1;
            }
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
            }
            int ties = 0;
            for (boolean exact : new boolean[] {true, false}) {
                NDArray x = m.create(exact ? ternary : gaussian, new Shape(n, d));
                KnnSearch.Metric[] metrics = exact ? new KnnSearch.Metric[] {KnnSearch.Metric.DOT}
                        : new KnnSearch.Metric[] {KnnSearch.Metric.COSINE, KnnSearch.Metric.DOT};
                for (KnnSearch.Metric metric : metrics) {
                    for (int block : new int[] {7, 64, 4096}) {
                        KnnSearch search = KnnSearch.builder().optMetric(metric).optQueryBlock(11)
                                .optReferenceBlock(37).optSymmetricBlock(block).build();
                        String where = (exact ? "ternary " : "gaussian ") + metric + " block " + block;
                        KnnSearch.Result half = search.search(x, x, 20, Neighbours.EXCLUDE_SELF);
                        KnnSearch.Result full = search.search(x, x.duplicate(), 20, Neighbours.EXCLUDE_SELF);
                        for (int i = 0; i < n; i++) {
                            if (exact) {
                                assertArrayEquals(full.indices()[i], half.indices()[i], where + " query " + i);
                                assertArrayEquals(full.scores()[i], half.scores()[i], 0.0, where + " query " + i);
                            } else {
                                assertArrayEquals(modulo(full.indices()[i]), modulo(half.indices()[i]),
                                        where + " query " + i);
                                assertArrayEquals(full.scores()[i], half.scores()[i], 1e-6, where + " query " + i);
                            }
                            for (int j = 1; j < 20; j++) {
                                if (half.scores()[i][j] == half.scores()[i][j - 1]) {
                                    ties++;
                                    if (exact) {
                                        assertTrue(half.indices()[i][j] > half.indices()[i][j - 1],
                                                where + " query " + i);
                                    }
                                }
                            }
                        }
                        RetrievalMetrics.Report a = RetrievalMetrics.leaveOneOut(x, labels, search);
                        RetrievalMetrics.Report c = RetrievalMetrics.fromNeighbours(labels, labels, full.indices(),
                                Neighbours.EXCLUDE_SELF);
                        assertEquals(c.precisionAt1(), a.precisionAt1(), 0.0, where);
                        assertEquals(c.meanAveragePrecisionAtR(), a.meanAveragePrecisionAtR(), 0.0, where);
                        assertEquals(c.rPrecision(), a.rPrecision(), 0.0, where);
                    }
                }
            }
            // the ternary rows tie at many ranks, so the order among equal scores was exercised
            assertTrue(ties > 1000, "ties " + ties);
        }
    }

    /** A row's neighbours with each duplicate (rows 100..) named by its original row. */
    private static long[] modulo(long[] indices) {
        long[] out = new long[indices.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = indices[j] % 100;
        }
        return out;
    }

    /** Equal rows: every score ties, so the neighbours are the smallest indices but the query's own. */
    @Test
    void equalScoresAreOrderedBySmallerIndexInBothPaths() {
        try (NDManager m = TestDevice.manager()) {
            int n = 40;
            NDArray x = m.ones(new Shape(n, 3));
            KnnSearch search = KnnSearch.builder().optQueryBlock(6).optReferenceBlock(9).optSymmetricBlock(7).build();
            for (NDArray references : new NDArray[] {x, x.duplicate()}) {
                KnnSearch.Result r = search.search(x, references, 5, Neighbours.EXCLUDE_SELF);
                for (int i = 0; i < n; i++) {
                    int self = i;
                    long[] expected = IntStream.range(0, n).filter(j -> j != self).limit(5).asLongStream().toArray();
                    assertArrayEquals(expected, r.indices()[i], "query " + i);
                }
            }
        }
    }

    /** Query i's scores against the n rows of rv, in double; larger is better: cosine, dot, or -L2 squared. */
    static double[] scores(float[] qv, float[] rv, int n, int d, int i, KnnSearch.Metric metric) {
        double[] s = new double[n];
        for (int j = 0; j < n; j++) {
            double dot = 0;
            double nq = 0;
            double nr = 0;
            double l2 = 0;
            for (int t = 0; t < d; t++) {
                double a = qv[i * d + t];
                double c = rv[j * d + t];
                dot += a * c;
                nq += a * a;
                nr += c * c;
                l2 += (a - c) * (a - c);
            }
            s[j] = metric == KnnSearch.Metric.COSINE ? dot / Math.sqrt(nq * nr)
                    : metric == KnnSearch.Metric.DOT ? dot : -l2;
        }
        return s;
    }
}
