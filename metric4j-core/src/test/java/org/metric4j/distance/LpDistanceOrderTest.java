package org.metric4j.distance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport;

/**
 * LpDistance with any p and power against a brute-force Java loop (rows normalized to unit Lp
 * norm first, as PML does), its gradient against central differences in float64 (finite on the
 * zero diagonal), and BatchedDistance block by block.
 */
class LpDistanceOrderTest {

    private static double[][] rows(Random random, int n, int d) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return x;
    }

    private static double[] flat(double[][] x) {
        double[] out = new double[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
        }
        return out;
    }

    private static double norm(double[] x, double p) {
        double s = 0;
        for (double v : x) {
            s += Math.pow(Math.abs(v), p);
        }
        return Math.pow(s, 1 / p);
    }

    private static double[] reference(double[][] q, double[][] r, double p, double power, boolean normalize) {
        double[] out = new double[q.length * r.length];
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < r.length; j++) {
                double nq = normalize ? norm(q[i], p) : 1;
                double nr = normalize ? norm(r[j], p) : 1;
                double[] diff = new double[q[i].length];
                for (int k = 0; k < diff.length; k++) {
                    diff[k] = q[i][k] / nq - r[j][k] / nr;
                }
                out[i * r.length + j] = Math.pow(norm(diff, p), power);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "p={0} power={1} normalize={2}")
    @CsvSource({"1, 1, true", "3, 1, true", "1.5, 2, true", "2, 2, true", "2, 0.5, false", "3, 3, false", "1, 2, false"})
    void matchesABruteForceLoop(double p, double power, boolean normalize) {
        Random random = new Random(7);
        double[][] q = rows(random, 5, 4);
        double[][] r = rows(random, 3, 4);
        LpDistance d = LpDistance.builder().optP(p).optPower(power)
                .optNormalization(normalize ? Normalization.L2 : Normalization.NONE).build();
        String seed = "seed 7, " + d;
        try (NDManager m = TestDevice.manager()) {
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                NDArray qa = m.create(flat(q), new Shape(5, 4)).toType(dt, false);
                NDArray ra = m.create(flat(r), new Shape(3, 4)).toType(dt, false);
                NDArray mat = d.matrix(qa, ra);
                assertEquals(dt, mat.getDataType(), seed + ": dtype");
                double tol = dt == DataType.FLOAT64 ? 1e-12 : 1e-5;
                double[] full = reference(q, r, p, power, normalize);
                double[] got = mat.toType(DataType.FLOAT64, false).toDoubleArray();
                assertEquals(full.length, got.length, seed + ": size");
                for (int i = 0; i < full.length; i++) {
                    assertEquals(full[i], got[i], tol * Math.max(1, full[i]), seed + " " + dt + ": entry " + i);
                }
                double[] diag = d.rowwise(qa.get("0:3"), ra).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(full[i * 3 + i], diag[i], tol * Math.max(1, full[i * 3 + i]), seed + ": rowwise " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "p={0} power={1}")
    @CsvSource({"1, 1", "3, 1", "1.5, 0.5", "3, 2"})
    void gradientMatchesFiniteDifferencesAndIsFiniteAtZero(double p, double power) {
        Random random = new Random(3);
        double[] x = flat(rows(random, 4, 3));
        double[] weights = new double[16];
        for (int i = 0; i < 16; i++) {
            weights[i] = i / 4 == i % 4 ? 1 : random.nextDouble();   // the zero diagonal counts too
        }
        LpDistance d = LpDistance.builder().optP(p).optPower(power).build();
        Function<NDArray, NDArray> f = e -> d.matrix(e)
                .mul(e.getManager().create(weights, new Shape(4, 4)).toType(e.getDataType(), false)).sum();
        try (NDManager m = TestDevice.manager()) {
            double[] grad = NDTestSupport.valueAndGrad(m, x, 4, 3, DataType.FLOAT64, f).grad();
            double[] numeric = NDTestSupport.centralDifferences(m, x, 4, 3, 1e-6, f);
            for (int i = 0; i < grad.length; i++) {
                assertTrue(Double.isFinite(grad[i]), d + ": gradient " + i + " not finite");
                // the diagonal is |x - x| = 0 on both sides of every probe: exact
                assertEquals(numeric[i], grad[i], 1e-5 * Math.max(1, Math.abs(numeric[i])), d + ": gradient " + i);
            }
        }
    }

    @Test
    void normalizesWithItsOwnP() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[] {3, -4}, new Shape(1, 2));
            assertArrayEquals(new double[] {3.0 / 7, -4.0 / 7},
                    LpDistance.builder().optP(1).build().normalize(x).toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {0.6, -0.8}, LpDistance.euclidean().normalize(x).toDoubleArray(), 1e-15);
        }
    }

    @Test
    void configuration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LpDistance.builder().optP(0).build());
        assertTrue(e.getMessage().contains("p must") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LpDistance.builder().optPower(-1).build());
        assertTrue(e.getMessage().contains("power") && e.getMessage().contains("-1"), e.getMessage());
        assertEquals(LpDistance.euclidean(), LpDistance.builder().build());
        assertEquals(LpDistance.squaredEuclidean(), LpDistance.builder().optPower(2).build());
        assertEquals("LpDistance(normalize=true, p=3, power=1)", LpDistance.builder().optP(3).build().toString());
        assertEquals("LpDistance(normalize=false, p=1.5, power=0.5)", LpDistance.builder().optP(1.5).optPower(0.5)
                .optNormalization(Normalization.NONE).build().toString());
        assertTrue(!LpDistance.builder().optP(3).build().equals(LpDistance.euclidean()));
    }

    @Test
    void batchedDistanceHandsOverBlocksInOrder() {
        Random random = new Random(5);
        double[][] q = rows(random, 7, 3);
        double[][] r = rows(random, 4, 3);
        BatchedDistance batched = BatchedDistance.of(LpDistance.builder().optP(3).build(), 3);
        try (NDManager m = TestDevice.manager()) {
            NDArray qa = m.create(flat(q), new Shape(7, 3));
            NDArray ra = m.create(flat(r), new Shape(4, 3));
            List<long[]> blocks = new ArrayList<>();
            batched.forEachBlock(qa, ra, (block, s, e) -> {
                assertEquals(new Shape(e - s, 4), block.getShape(), "block " + s);
                blocks.add(new long[] {s, e});
            });
            assertEquals(List.of("[0, 3]", "[3, 6]", "[6, 7]"),
                    blocks.stream().map(java.util.Arrays::toString).toList(), "blocks, the last one shorter");
            assertArrayEquals(batched.distance().matrix(qa, ra).toDoubleArray(),
                    batched.matrix(qa, ra).toDoubleArray(), 0, "the stacked blocks are the whole matrix");
            assertEquals(new Shape(7, 7), batched.matrix(qa).getShape());
        }
        assertTrue(!batched.isInverted() && batched.normalizesEmbeddings());
        assertTrue(BatchedDistance.of(CosineSimilarity.create()).isInverted());
        assertEquals(BatchedDistance.DEFAULT_BATCH_SIZE, BatchedDistance.of(CosineSimilarity.create()).batchSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchedDistance.of(LpDistance.euclidean(), 0));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
    }
}
