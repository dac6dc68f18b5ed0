package org.metric4j.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.doubles;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport;

/** SNRDistance against the definition var(a - b) / var(a), its asymmetry and its gradient. */
class SNRDistanceTest {

    private static final int B = 5;
    private static final int D = 4;

    /** Unbiased variance of the components. */
    private static double variance(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / (v.length - 1);
    }

    private static double[] reference(double[][] q, double[][] r) {
        double[] out = new double[q.length * r.length];
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < r.length; j++) {
                double[] diff = new double[D];
                for (int k = 0; k < D; k++) {
                    diff[k] = q[i][k] - r[j][k];
                }
                out[i * r.length + j] = variance(diff) / variance(q[i]);
            }
        }
        return out;
    }

    @Test
    void matrixIsTheVarianceRatio() {
        double[] x = gaussian(new Random(1), B * D);
        double[] ref = gaussian(new Random(2), 3 * D);
        try (NDManager m = TestDevice.manager()) {
            NDArray q = NDTestSupport.array(m, x, B, D, DataType.FLOAT64);
            NDArray r = NDTestSupport.array(m, ref, 3, D, DataType.FLOAT64);
            double[] normalized = reference(normalizeRows(rows(x, B, D)), normalizeRows(rows(ref, 3, D)));
            assertEquals(0.0, maxAbsDiff(normalized, doubles(SNRDistance.create().matrix(q, r))), 1e-12);
            double[] raw = reference(rows(x, B, D), rows(ref, 3, D));
            assertEquals(0.0, maxAbsDiff(raw, doubles(SNRDistance.of(Normalization.NONE).matrix(q, r))), 1e-12);
        }
    }

    @Test
    void theAnchorIsTheRow() {
        double[] x = {1, 2, 3, 4, 0, 0, 0, 8};
        try (NDManager m = TestDevice.manager()) {
            double[] mat = doubles(SNRDistance.of(Normalization.NONE).matrix(m.create(x, new Shape(2, D))));
            assertEquals(0.0, mat[0], 1e-12, "d(a, a)");
            assertNotEquals(mat[1], mat[2], 1e-3, "d(a, b) != d(b, a)");
            assertEquals(variance(new double[] {1, 2, 3, -4}) / variance(new double[] {1, 2, 3, 4}), mat[1], 1e-12);
        }
    }

    @Test
    void constantRowStaysFinite() {
        double[] x = {0.5, 0.5, 0.5, 0.5, 1, 2, 3, 4};
        try (NDManager m = TestDevice.manager()) {
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                var r = valueAndGrad(m, x, 2, D, dt, e -> SNRDistance.create().matrix(e).sum());
                assertTrue(Double.isFinite(r.value()) && allFinite(r.grad()), dt + ": " + r.value());
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double[] x = gaussian(new Random(3), B * D);
        Function<NDArray, NDArray> f = e -> SNRDistance.create().matrix(e).mul(e.getManager()
                .create(gaussian(new Random(4), B * B), new Shape(B, B))).sum();
        try (NDManager m = TestDevice.manager()) {
            double[] grad = valueAndGrad(m, x, B, D, DataType.FLOAT64, f).grad();
            double[] fd = centralDifferences(m, x, B, D, 1e-6, f);
            assertEquals(0.0, maxAbsDiff(fd, grad), 1e-6);
        }
    }

    @Test
    void valueSemantics() {
        assertEquals(SNRDistance.create(), SNRDistance.of(Normalization.L2));
        assertNotEquals(SNRDistance.create(), SNRDistance.of(Normalization.NONE));
        assertEquals(SNRDistance.create().hashCode(), SNRDistance.of(Normalization.L2).hashCode());
        assertEquals("SNRDistance(normalize=false)", SNRDistance.of(Normalization.NONE).toString());
        assertTrue(!SNRDistance.create().isInverted());
    }
}
