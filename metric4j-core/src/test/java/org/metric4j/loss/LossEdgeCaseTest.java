package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.LossCatalog.Case;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * Degenerate batches, in float64 and float32: no positive pair, no negative pair, identical rows
 * (distance 0, cosine 1), a collapsed batch (every row the same) and a zero row. The loss and its
 * gradient must be finite (never NaN); where the batch has no valid term the loss is exactly 0,
 * still connected to the graph, with a zero gradient.
 */
class LossEdgeCaseTest {

    private static final long[] SEEDS = {5, 6};
    private static final int B = 8;
    private static final int D = 5;
    private static final DataType[] DTYPES = {DataType.FLOAT64, DataType.FLOAT32};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : LossCatalog.all()) {
            for (long seed : SEEDS) {
                for (DataType dt : DTYPES) {
                    out.add(Arguments.of(c, seed, dt));
                }
            }
        }
        return out.stream();
    }

    private static ValueAndGrad run(NDManager m, Case c, double[] x, long[] y, DataType dt) {
        MetricLoss loss = c.loss();
        return valueAndGrad(m, x, B, D, dt, e -> loss.compute(e, e.getManager().create(y)));
    }

    private static void assertFinite(Case c, long seed, DataType dt, String batch, ValueAndGrad r) {
        String where = dt + ", " + batch;
        assertTrue(Double.isFinite(r.value()), msg(c.name(), seed, where + ": loss " + r.value()));
        assertTrue(allFinite(r.grad()), msg(c.name(), seed, where + ": gradient not finite"));
        assertEquals(dt, r.dtype(), msg(c.name(), seed, where + ": loss dtype"));
        if (c.nonNegative()) {
            assertTrue(r.value() >= 0, msg(c.name(), seed, where + ": loss < 0: " + r.value()));
        }
    }

    private static void assertZero(Case c, long seed, DataType dt, String batch, ValueAndGrad r) {
        assertEquals(0.0, r.value(), 0.0, msg(c.name(), seed, dt + ", " + batch
                + ": no valid term, the loss must be 0"));
        assertEquals(0.0, maxAbs(r.grad()), 0.0, msg(c.name(), seed, dt + ", " + batch
                + ": no valid term, the gradient must be 0"));
    }

    @ParameterizedTest(name = "{0} seed={1} {2}")
    @MethodSource("cases")
    void everyLabelDistinct(Case c, long seed, DataType dt) {
        double[] x = gaussian(new Random(seed), B * D);
        long[] y = {3, 1, 4, 15, 9, 2, 6, 5};
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, c, x, y, dt);
            assertFinite(c, seed, dt, "distinct labels", r);
            if (c.zeroWithoutPositives()) {
                assertZero(c, seed, dt, "distinct labels", r);
            }
        }
    }

    @ParameterizedTest(name = "{0} seed={1} {2}")
    @MethodSource("cases")
    void singleClass(Case c, long seed, DataType dt) {
        double[] x = gaussian(new Random(seed), B * D);
        long[] y = {7, 7, 7, 7, 7, 7, 7, 7};
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, c, x, y, dt);
            assertFinite(c, seed, dt, "single class", r);
            if (c.zeroWithoutNegatives()) {
                assertZero(c, seed, dt, "single class", r);
            }
        }
    }

    @ParameterizedTest(name = "{0} seed={1} {2}")
    @MethodSource("cases")
    void identicalRows(Case c, long seed, DataType dt) {
        double[] x = gaussian(new Random(seed), B * D);
        // rows 0 and 1 identical with the same label, rows 2 and 3 identical with different labels
        System.arraycopy(x, 0, x, D, D);
        System.arraycopy(x, 2 * D, x, 3 * D, D);
        long[] y = {0, 0, 1, 2, 1, 2, 0, 3};
        try (NDManager m = TestDevice.manager()) {
            assertFinite(c, seed, dt, "identical rows", run(m, c, x, y, dt));
        }
    }

    @ParameterizedTest(name = "{0} seed={1} {2}")
    @MethodSource("cases")
    void collapsedBatch(Case c, long seed, DataType dt) {
        double[] row = gaussian(new Random(seed), D);
        double[] x = new double[B * D];
        for (int i = 0; i < B; i++) {
            System.arraycopy(row, 0, x, i * D, D);
        }
        long[] y = {0, 0, 1, 1, 2, 2, 0, 1};
        try (NDManager m = TestDevice.manager()) {
            assertFinite(c, seed, dt, "every row identical", run(m, c, x, y, dt));
        }
    }

    @ParameterizedTest(name = "{0} seed={1} {2}")
    @MethodSource("cases")
    void zeroRow(Case c, long seed, DataType dt) {
        double[] x = gaussian(new Random(seed), B * D);
        for (int k = 0; k < D; k++) {
            x[2 * D + k] = 0;
        }
        long[] y = {0, 0, 1, 1, 2, 2, 0, 1};
        try (NDManager m = TestDevice.manager()) {
            assertFinite(c, seed, dt, "row 2 all zeros", run(m, c, x, y, dt));
        }
    }
}
