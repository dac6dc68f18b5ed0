package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** Larger first: cosine, dot, or the negated squared distance. */
    private static double[] scores(float[] qv, float[] rv, int n, int d, int i, KnnSearch.Metric metric) {
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
