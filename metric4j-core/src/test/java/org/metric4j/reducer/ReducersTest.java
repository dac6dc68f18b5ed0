package org.metric4j.reducer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.math.NDMath;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * The reducers on a hand-computed 3 x 3 example with a mask, in float64 and float32: value,
 * gradient and dtype; and the all-masked case (0, zero gradient, no NaN).
 *
 * <pre>
 * values        mask        terms
 * 0.5  0    2   T T F       0.5, 0
 * 0    0    0   T F F       0
 * 1    4    0   F T T       4, 0
 * </pre>
 *
 * Sum 4.5 over 5 terms, 2 of them non-zero; per row (anchor) means 0.25, 0, 2.
 */
class ReducersTest {

    private static final double[] VALUES = {0.5, 0, 2, 0, 0, 0, 1, 4, 0};
    private static final boolean[] MASK = {true, true, false, true, false, false, false, true, true};
    private static final boolean[] NONE = new boolean[9];
    /** Rows 0 and 2 belong to anchor 0, row 1 to anchor 2; anchor 1 has no row. */
    private static final long[] ROW_ANCHORS = {0, 2, 0};

    enum Dtype {
        FLOAT64(DataType.FLOAT64), FLOAT32(DataType.FLOAT32);

        final DataType type;

        Dtype(DataType type) {
            this.type = type;
        }
    }

    private static ValueAndGrad reduce(Reducer reducer, boolean[] mask, long[] anchors, DataType dt) {
        Function<NDArray, NDArray> f = v -> {
            LossTerms terms = mask == null ? LossTerms.of(v)
                    : LossTerms.of(v, v.getManager().create(mask, new Shape(3, 3)));
            if (anchors != null) {
                terms = terms.withAnchors(v.getManager().create(anchors), 3);
            }
            return reducer.reduce(terms);
        };
        try (NDManager m = TestDevice.manager()) {
            return valueAndGrad(m, VALUES, 3, 3, dt, f);
        }
    }

    private static void check(String name, ValueAndGrad r, DataType dt, double value, double[] grad) {
        double tol = dt == DataType.FLOAT64 ? 1e-15 : 1e-6;
        assertEquals(dt, r.dtype(), name + ": dtype");
        assertEquals(new Shape(), r.shape(), name + ": scalar");
        assertEquals(value, r.value(), tol, name + " [" + dt + "]: value");
        assertArrayEquals(grad, r.grad(), tol, name + " [" + dt + "]: gradient");
    }

    private static double[] onMask(boolean[] mask, double... perRow) {
        double[] g = new double[9];
        for (int i = 0; i < 9; i++) {
            g[i] = mask[i] ? perRow[i / 3] : 0;
        }
        return g;
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void mean(Dtype dt) {
        check("MeanReducer", reduce(new MeanReducer(), MASK, null, dt.type), dt.type, 4.5 / 5,
                onMask(MASK, 0.2, 0.2, 0.2));
        double[] all = new double[9];
        java.util.Arrays.fill(all, 1.0 / 9);
        check("MeanReducer, no mask", reduce(new MeanReducer(), null, null, dt.type), dt.type,
                7.5 / 9, all);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void sum(Dtype dt) {
        check("SumReducer", reduce(new SumReducer(), MASK, null, dt.type), dt.type, 4.5,
                onMask(MASK, 1, 1, 1));
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void avgNonZero(Dtype dt) {
        // 4.5 over the 2 terms > 0; the count carries no gradient, so each of them gets 1/2
        ValueAndGrad masked = reduce(new AvgNonZeroReducer(), MASK, null, dt.type);
        checkAvgNonZero("AvgNonZeroReducer", masked, dt.type, MASK, 4.5 / 2, 0.5);
        // without a mask: 7.5 over the 4 entries > 0 (the zeros are terms but not counted)
        boolean[] all = new boolean[9];
        java.util.Arrays.fill(all, true);
        ValueAndGrad unmasked = reduce(new AvgNonZeroReducer(), null, null, dt.type);
        checkAvgNonZero("AvgNonZeroReducer, no mask", unmasked, dt.type, all, 7.5 / 4, 0.25);
    }

    /**
     * Value and dtype; gradient {@code g} on the terms > 0 and 0 off the terms. A term exactly 0
     * sits on its hinge's kink: PML gives it no gradient (it sums only the terms > 0), the plain
     * masked sum gives it {@code g}; both are accepted since the hinge passes none on.
     */
    private static void checkAvgNonZero(String name, ValueAndGrad r, DataType dt, boolean[] terms,
            double value, double g) {
        double tol = dt == DataType.FLOAT64 ? 1e-15 : 1e-6;
        assertEquals(dt, r.dtype(), name + ": dtype");
        assertEquals(value, r.value(), tol, name + " [" + dt + "]: value");
        for (int i = 0; i < 9; i++) {
            double actual = r.grad()[i];
            String at = name + " [" + dt + "]: gradient of entry " + i + " (value " + VALUES[i] + ")";
            if (!terms[i]) {
                assertEquals(0, actual, 0, at + ", not a term");
            } else if (VALUES[i] > 0) {
                assertEquals(g, actual, tol, at);
            } else {
                assertEquals(true, Math.abs(actual) <= tol || Math.abs(actual - g) <= tol,
                        at + ": expected 0 or " + g + ", got " + actual);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void perAnchorMeanByRow(Dtype dt) {
        // rows as anchors: (0.25 + 0 + 2) / 3; term gradients 1 / (3 * terms of its row)
        check("PerAnchorMeanReducer", reduce(new PerAnchorMeanReducer(), MASK, null, dt.type),
                dt.type, 2.25 / 3, onMask(MASK, 1.0 / 6, 1.0 / 3, 1.0 / 6));
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void perAnchorMeanWithAnchorIds(Dtype dt) {
        // anchor 0: rows 0 and 2, 4.5 over 4 terms; anchor 2: row 1, 0 over 1 term; anchor 1 absent
        check("PerAnchorMeanReducer, anchors", reduce(new PerAnchorMeanReducer(), MASK, ROW_ANCHORS,
                dt.type), dt.type, (4.5 / 4 + 0) / 2, onMask(MASK, 1.0 / 8, 1.0 / 2, 1.0 / 8));
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void everyTermMaskedGivesZeroWithZeroGradient(Dtype dt) {
        Reducer[] reducers = {new MeanReducer(), new SumReducer(), new AvgNonZeroReducer(),
                new PerAnchorMeanReducer()};
        for (Reducer r : reducers) {
            check(r + ", all masked", reduce(r, NONE, null, dt.type), dt.type, 0, new double[9]);
        }
        check("PerAnchorMeanReducer, anchors, all masked",
                reduce(new PerAnchorMeanReducer(), NONE, ROW_ANCHORS, dt.type), dt.type, 0,
                new double[9]);
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void avgNonZeroOfAllZeroTermsIsZero(Dtype dt) {
        Function<NDArray, NDArray> f = v -> new AvgNonZeroReducer().reduce(LossTerms.of(NDMath.mul(v, 0.0)));
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = valueAndGrad(m, VALUES, 3, 3, dt.type, f);
            check("AvgNonZeroReducer, all zero", r, dt.type, 0, new double[9]);
        }
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void maskOfAnotherShapeIsRejected(Dtype dt) {
        try (NDManager m = TestDevice.manager()) {
            NDArray v = m.zeros(new Shape(3, 3), dt.type);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossTerms.of(v, m.create(new boolean[] {true, false, true})));
            assertEquals(true, e.getMessage().contains("mask") && e.getMessage().contains("(3)"),
                    e.getMessage());
        }
    }
}
