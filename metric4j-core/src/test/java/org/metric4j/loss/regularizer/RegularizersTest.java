package org.metric4j.loss.regularizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.ContrastiveLoss;
import org.metric4j.loss.RegularizedLoss;
import org.metric4j.loss.RegularizedProxyLoss;
import org.metric4j.loss.SoftTripleLoss;
import org.metric4j.math.NDTestSupport;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.reducer.SumReducer;

/**
 * The regularizers on hand-computed rows, in float64 and float32: values and gradients (a zero
 * row has gradient 0, never NaN), the wrappers that attach them to a loss, and bad input.
 */
class RegularizersTest {

    /** Rows (3, -4), (1, 2), (0, 0). */
    private static final double[] X = {3, -4, 1, 2, 0, 0};
    /** Unit rows (1, 0), (0.6, 0.8), (0, 1): cosines 0.6 (0,1), 0 (0,2), 0.8 (1,2). */
    private static final double[] W = {1, 0, 0.6, 0.8, 0, 1};

    enum Dtype {
        FLOAT64(DataType.FLOAT64), FLOAT32(DataType.FLOAT32);

        final DataType type;

        Dtype(DataType type) {
            this.type = type;
        }
    }

    private static ValueAndGrad run(Regularizer r, double[] x, DataType dt) {
        try (NDManager m = TestDevice.manager()) {
            return NDTestSupport.valueAndGrad(m, x, 3, 2, dt, r::compute);
        }
    }

    private static void check(String name, ValueAndGrad got, DataType dt, double value, double... grad) {
        double tol = dt == DataType.FLOAT64 ? 1e-12 : 1e-5;
        assertEquals(dt, got.dtype(), name + ": dtype");
        assertEquals(value, got.value(), tol * Math.max(1, Math.abs(value)), name + " [" + dt + "]: value");
        if (grad.length > 0) {
            assertArrayEquals(grad, got.grad(), tol * 10, name + " [" + dt + "]: gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void lpRegularizer(Dtype dt) {
        double s5 = Math.sqrt(5);
        check("L2 norm", run(LpRegularizer.builder().build(), X, dt.type), dt.type, (5 + s5) / 3,
                0.6 / 3, -0.8 / 3, 1 / s5 / 3, 2 / s5 / 3, 0, 0);
        check("L1 norm squared", run(LpRegularizer.builder().optP(1).optPower(2).build(), X, dt.type),
                dt.type, (49 + 9) / 3.0, 14 / 3.0, -14 / 3.0, 2, 2, 0, 0);
        check("sum reducer", run(LpRegularizer.builder().optReducer(new SumReducer()).build(), X, dt.type),
                dt.type, 5 + s5);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void zeroMeanRegularizer(Dtype dt) {
        // |sums| 1, 3, 0; gradient sign(sum) / 3, 0 for the zero row
        check("zero mean", run(ZeroMeanRegularizer.create(), X, dt.type), dt.type, 4 / 3.0,
                -1 / 3.0, -1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void centerInvariantRegularizer(Dtype dt) {
        // squared norms 25, 5, 0 (mean 10): (15^2 + 5^2 + 10^2) / 4 / 3; the mean's gradient
        // cancels (deviations sum to 0), so d/dx_c = (n_c - mean) x_c / 3
        check("center invariant", run(CenterInvariantRegularizer.create(), X, dt.type), dt.type,
                350 / 12.0, 15 * 3 / 3.0, -15 * 4 / 3.0, -5 / 3.0, -10 / 3.0, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void regularFaceTakesEachClassesNearestOther(Dtype dt) {
        // nearest: 0 -> 1 (0.6), 1 -> 2 (0.8), 2 -> 1 (0.8)
        check("regular face", run(RegularFaceRegularizer.create(), W, dt.type), dt.type, 2.2 / 3);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void sparseCentersSumsWithinClassDistancesOverCKKMinusOne(Dtype dt) {
        SparseCentersRegularizer one = SparseCentersRegularizer.builder().setNumClasses(1).setCentersPerClass(3).build();
        double expected = (Math.sqrt(0.8) + Math.sqrt(2) + Math.sqrt(0.4)) / 6;
        check("one class of 3", run(one, W, dt.type), dt.type, expected);
        // 3 classes of 1 center would have no pair; K >= 2 is required
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseCentersRegularizer.builder().setCentersPerClass(1));
        assertTrue(e.getMessage().contains("centersPerClass") && e.getMessage().contains("1"), e.getMessage());
        SparseCentersRegularizer wrong = SparseCentersRegularizer.builder().setNumClasses(2).setCentersPerClass(2).build();
        e = assertThrows(IllegalArgumentException.class, () -> run(wrong, W, dt.type));
        assertTrue(e.getMessage().contains("4") && e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparseCentersRegularizer.builder().setNumClasses(2).build());
    }

    @Test
    void identicalCentersHaveAFiniteGradient() {
        double[] same = {1, 0, 1, 0, 0.6, 0.8};
        SparseCentersRegularizer r = SparseCentersRegularizer.builder().setNumClasses(1).setCentersPerClass(3).build();
        ValueAndGrad got = run(r, same, DataType.FLOAT64);
        for (double g : got.grad()) {
            assertTrue(Double.isFinite(g), "gradient " + java.util.Arrays.toString(got.grad()));
        }
    }

    @Test
    void badBuilderInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpRegularizer.builder().optP(-2));
        assertTrue(e.getMessage().contains("p must") && e.getMessage().contains("-2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LpRegularizer.builder().optPower(Double.NaN));
        assertTrue(e.getMessage().contains("power") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RegularizedLoss.builder(ContrastiveLoss.builder().build()).build());
        assertTrue(e.getMessage().contains("embeddingRegularizer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RegularizedLoss.builder(ContrastiveLoss.builder().build()).optEmbeddingRegWeight(Double.NaN));
        assertTrue(e.getMessage().contains("embeddingRegWeight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RegularizedProxyLoss.builder(SoftTripleLoss.builder().build()).build());
        assertTrue(e.getMessage().contains("weightRegularizer"), e.getMessage());
    }

    @Test
    void regularizedLossAddsTheWeightedRegularizer() {
        ContrastiveLoss loss = ContrastiveLoss.builder().build();
        LpRegularizer lp = LpRegularizer.builder().build();
        RegularizedLoss reg = RegularizedLoss.builder(loss).setEmbeddingRegularizer(lp).optEmbeddingRegWeight(0.5).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[] {3, -4, 1, 2, 0.5, 0.5, -1, 0}).reshape(4, 2);
            NDArray y = m.create(new long[] {0, 0, 1, 1});
            double plain = loss.compute(x, y).getDouble();
            double expected = plain + 0.5 * lp.compute(x).getDouble();
            NDArray got = reg.compute(x, y);
            assertEquals(DataType.FLOAT64, got.getDataType());
            assertEquals(0, got.getShape().dimension(), "a scalar");
            assertEquals(expected, got.getDouble(), 1e-12);
            assertTrue(expected > plain + 1, "the regularizer counts (norms up to 5)");
            assertEquals(loss.lastSelection(), reg.lastSelection(), "the wrapped loss's selection");
        }
        assertTrue(reg.toString().startsWith("RegularizedLoss(loss=ContrastiveLoss("), reg.toString());
    }
}
