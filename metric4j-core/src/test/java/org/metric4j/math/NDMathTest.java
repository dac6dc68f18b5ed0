package org.metric4j.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.doubles;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;

/** {@link NDMath} against plain-Java references, with empty rows and infinite inputs. */
class NDMathTest {

    private static final int R = 4;
    private static final int C = 5;

    /** Row 1 is empty; the others keep a random subset (at least one entry each). */
    private static boolean[] mask(long seed) {
        Random r = new Random(seed);
        boolean[] mask = new boolean[R * C];
        for (int i = 0; i < R; i++) {
            if (i == 1) {
                continue;
            }
            mask[i * C + r.nextInt(C)] = true;
            for (int j = 0; j < C; j++) {
                mask[i * C + j] |= r.nextBoolean();
            }
        }
        return mask;
    }

    private static double[] referenceLogSumExp(double[] x, boolean[] mask, boolean addOne) {
        double[] out = new double[R];
        for (int i = 0; i < R; i++) {
            double s = addOne ? 1 : 0;
            boolean any = false;
            for (int j = 0; j < C; j++) {
                if (mask[i * C + j]) {
                    s += Math.exp(x[i * C + j]);
                    any = true;
                }
            }
            out[i] = any || addOne ? Math.log(s) : 0;
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void maskedLogSumExpMatchesReferenceWithEmptyRow(long seed) {
        double[] x = gaussian(new Random(seed), R * C);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 30; // large logits: the shift by the row max must keep it finite
        }
        boolean[] mask = mask(seed);
        try (NDManager m = TestDevice.manager()) {
            for (boolean addOne : new boolean[] {false, true}) {
                NDArray in = m.create(x, new Shape(R, C));
                NDArray msk = m.create(mask, new Shape(R, C));
                NDArray out = addOne ? NDMath.logOnePlusSumExp(in, msk, 1) : NDMath.logSumExp(in, msk, 1);
                assertEquals(new Shape(R, 1), out.getShape(), "seed " + seed + ": keeps the axis");
                double[] expected = referenceLogSumExp(x, mask, addOne);
                assertArrayEquals(expected, doubles(out), 1e-12 * Math.max(1, maxAbs(expected)),
                        "seed " + seed + ", addOne " + addOne);
                assertEquals(0.0, doubles(out)[1], 0.0, "seed " + seed + ": empty row gives 0");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void maskedLogSumExpGradientIsFiniteAndMatchesFiniteDifferences(long seed) {
        double[] x = gaussian(new Random(seed), R * C);
        boolean[] mask = mask(seed);
        for (boolean addOne : new boolean[] {false, true}) {
            Function<NDArray, NDArray> f = v -> (addOne
                    ? NDMath.logOnePlusSumExp(v, v.getManager().create(mask, new Shape(R, C)), 1)
                    : NDMath.logSumExp(v, v.getManager().create(mask, new Shape(R, C)), 1)).mul(
                    v.getManager().create(new double[] {1, 2, 3, 4}, new Shape(R, 1))).sum();
            try (NDManager m = TestDevice.manager()) {
                NDTestSupport.ValueAndGrad auto = valueAndGrad(m, x, R, C, DataType.FLOAT64, f);
                double[] numeric = centralDifferences(m, x, R, C, 1e-6, f);
                assertTrue(allFinite(auto.grad()), "seed " + seed + ": gradient finite");
                assertTrue(maxAbsDiff(auto.grad(), numeric) <= 1e-7,
                        "seed " + seed + ", addOne " + addOne + ": autograd vs finite differences "
                                + maxAbsDiff(auto.grad(), numeric));
                for (int j = 0; j < C; j++) {
                    assertEquals(0.0, auto.grad()[C + j], 0.0, "seed " + seed + ": empty row has no gradient");
                }
                for (int k = 0; k < R * C; k++) {
                    if (!mask[k]) {
                        assertEquals(0.0, auto.grad()[k], 0.0, "seed " + seed + ": masked-out entry " + k);
                    }
                }
            }
        }
    }

    @Test
    void logSumExpWithoutMaskAndFloat32KeepsDtype() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new float[] {0, 0, 1000, 1000}, new Shape(2, 2));
            NDArray out = NDMath.logSumExp(x, null, 1);
            assertEquals(DataType.FLOAT32, out.getDataType());
            assertArrayEquals(new double[] {Math.log(2), 1000 + Math.log(2)}, doubles(out), 1e-4);
        }
    }

    @Test
    void logAddExpOrZero() {
        double inf = Double.NEGATIVE_INFINITY;
        double[] a = {0.5, inf, 2, inf, 700};
        double[] b = {-1, 3, inf, inf, 700};
        double[] expected = {Math.log(Math.exp(0.5) + Math.exp(-1)), 3, 2, 0, 700 + Math.log(2)};
        try (NDManager m = TestDevice.manager()) {
            NDTestSupport.ValueAndGrad r = valueAndGrad(m, a, 1, 5, DataType.FLOAT64,
                    x -> NDMath.logAddExpOrZero(x.reshape(-1), x.getManager().create(b)).sum());
            assertTrue(allFinite(r.grad()), "no NaN / inf gradient: " + java.util.Arrays.toString(r.grad()));
            double[] grad = r.grad();
            assertEquals(1 / (1 + Math.exp(-1.5)), grad[0], 1e-12, "d/da at (0.5, -1)");
            assertEquals(0, grad[1], 0, "a = -inf gets no gradient");
            assertEquals(1, grad[2], 1e-12, "b = -inf: all of it to a");
            assertEquals(0, grad[3], 0, "both -inf: no gradient");
            assertEquals(0.5, grad[4], 1e-12, "large equal inputs");
            try (NDManager sub = m.newSubManager()) {
                double[] out = doubles(NDMath.logAddExpOrZero(sub.create(a), sub.create(b)));
                assertArrayEquals(expected, out, 1e-12);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void zeroLossIsZeroConnectedAndKeepsDtype(String dtype) {
        DataType dt = DataType.valueOf(dtype.toUpperCase());
        try (NDManager m = TestDevice.manager()) {
            NDTestSupport.ValueAndGrad r = valueAndGrad(m, new double[] {1, -2, 3, 4}, 2, 2, dt,
                    NDMath::zeroLoss);
            assertEquals(0.0, r.value(), 0.0);
            assertEquals(dt, r.dtype());
            assertEquals(new Shape(), r.shape());
            assertArrayEquals(new double[4], r.grad(), 0.0);
        }
    }

    @Test
    void takeRowsAndPairs() {
        try (NDManager m = TestDevice.manager()) {
            NDArray mat = m.arange(12).toType(DataType.FLOAT64, false).reshape(3, 4);
            NDArray rows = m.create(new long[] {2, 0});
            assertArrayEquals(new double[] {8, 9, 10, 11, 0, 1, 2, 3},
                    doubles(NDMath.takeRows(mat, rows)), 0);
            NDArray cols = m.create(new long[] {1, 3});
            assertArrayEquals(new double[] {9, 3}, doubles(NDMath.takePairs(mat, rows, cols)), 0);
        }
    }

    @Test
    void countsAndAny() {
        try (NDManager m = TestDevice.manager()) {
            NDArray mask = m.create(new boolean[] {true, false, false, false, true, true}, new Shape(2, 3));
            assertEquals(3, NDMath.count(mask));
            assertArrayEquals(new boolean[] {true, true, true},
                    NDMath.anyAlong(mask, 0).toBooleanArray());
            NDArray sparse = m.create(new boolean[] {false, false, false, false, true, false}, new Shape(2, 3));
            assertArrayEquals(new boolean[] {false, true}, NDMath.anyAlong(sparse, 1).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, false}, NDMath.anyAlong(sparse, 0).toBooleanArray());
            assertArrayEquals(new boolean[] {true, true}, NDMath.anyAlong(mask, 1).toBooleanArray());
        }
    }

    @Test
    void softplusIsStableForLargeInputs() {
        try (NDManager m = TestDevice.manager()) {
            double[] out = doubles(NDMath.softplus(m.create(new double[] {-800, 0, 800})));
            assertArrayEquals(new double[] {0, Math.log(2), 800}, out, 1e-12);
        }
    }
}
