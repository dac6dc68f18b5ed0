package org.metric4j.reducer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * PML's ThresholdReducer, ClassWeightedReducer, DivisorReducer, DoNothingReducer and
 * MultipleReducers on the hand-computed 3 x 3 example of {@link ReducersTest} (terms 0.5, 0, 0, 4,
 * 0 at (0,0), (0,1), (1,0), (2,1), (2,2)), in float64 and float32: values, gradients, the empty
 * selection, and bad input.
 */
class PmlReducersTest {

    private static final double[] VALUES = {0.5, 0, 2, 0, 0, 0, 1, 4, 0};
    private static final boolean[] MASK = {true, true, false, true, false, false, false, true, true};

    enum Dtype {
        FLOAT64(DataType.FLOAT64), FLOAT32(DataType.FLOAT32);

        final DataType type;

        Dtype(DataType type) {
            this.type = type;
        }
    }

    private static ValueAndGrad reduce(Reducer reducer, DataType dt, UnaryOperator<LossTerms> extra) {
        Function<NDArray, NDArray> f = v -> reducer.reduce(
                extra.apply(LossTerms.of(v, v.getManager().create(MASK, new Shape(3, 3)))));
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

    /** A gradient with {@code g} at the given flat entries. */
    private static double[] at(double g, int... entries) {
        double[] out = new double[9];
        for (int e : entries) {
            out[e] = g;
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void thresholdKeepsTheOpenRange(Dtype dt) {
        check("low 0.1", reduce(ThresholdReducer.builder().optLow(0.1).build(), dt.type, t -> t),
                dt.type, 2.25, at(0.5, 0, 7));
        // zeros are below high and count: 0.5 over 4 terms
        check("high 1", reduce(ThresholdReducer.builder().optHigh(1).build(), dt.type, t -> t),
                dt.type, 0.125, at(0.25, 0, 1, 3, 8));
        check("low 0.1, high 1", reduce(ThresholdReducer.builder().optLow(0.1).optHigh(1).build(),
                dt.type, t -> t), dt.type, 0.5, at(1, 0));
        // strict: a term equal to low is dropped
        check("low 0.5", reduce(ThresholdReducer.builder().optLow(0.5).build(), dt.type, t -> t),
                dt.type, 4, at(1, 7));
        check("none in range", reduce(ThresholdReducer.builder().optLow(10).build(), dt.type, t -> t),
                dt.type, 0, new double[9]);
    }

    @Test
    void thresholdNeedsABound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThresholdReducer.builder().build());
        assertTrue(e.getMessage().contains("low or high"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ThresholdReducer.builder().optHigh(Double.NaN));
        assertTrue(e.getMessage().contains("high") && e.getMessage().contains("NaN"), e.getMessage());
        assertTrue(ThresholdReducer.builder().optLow(0).build().needsValues());
        assertEquals("ThresholdReducer(low=0.1, high=null)", ThresholdReducer.builder().optLow(0.1).build().toString());
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void classWeightedWeighsEachTermByItsAnchorsClass(Dtype dt) {
        // anchors = rows, labels 1, 0, 2, weights 2, 3, 5: (0.5*3 + 0*2 + 4*5) / 5 terms
        ClassWeightedReducer r = ClassWeightedReducer.of(2, 3, 5);
        double[] grad = {3.0 / 5, 3.0 / 5, 0, 2.0 / 5, 0, 0, 0, 1, 1};
        check("rows as anchors", reduce(r, dt.type, t -> t.withLabels(labels(t, 1, 0, 2))), dt.type,
                21.5 / 5, grad);
        // anchor ids 0, 2, 0: rows 0 and 2 weigh 3 (label 1), row 1 weighs 5 (label 2)
        double[] byAnchor = {3.0 / 5, 3.0 / 5, 0, 1, 0, 0, 0, 3.0 / 5, 3.0 / 5};
        check("anchor ids", reduce(r, dt.type, t -> t.withAnchors(
                t.values().getManager().create(new long[] {0, 2, 0}), 3).withLabels(labels(t, 1, 0, 2))),
                dt.type, 13.5 / 5, byAnchor);
    }

    @Test
    void classWeightedRejectsMissingLabelsAndUnknownClasses() {
        ClassWeightedReducer r = ClassWeightedReducer.of(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reduce(r, DataType.FLOAT64, t -> t));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> reduce(r, DataType.FLOAT64, t -> t.withLabels(labels(t, 0, 1, 2))));
        assertTrue(e.getMessage().contains("[0, 2)") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassWeightedReducer.of(1, Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("Infinity") && e.getMessage().contains("class 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassWeightedReducer.of());
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void divisorDividesTheSum(Dtype dt) {
        double[] grad = {1.0 / 3, 1.0 / 3, 0, 1.0 / 3, 0, 0, 0, 1.0 / 3, 1.0 / 3};
        check("divisor 3", reduce(new DivisorReducer(), dt.type,
                t -> t.withDivisor(t.values().getManager().create(3.0))), dt.type, 1.5, grad);
        check("divisor 0", reduce(new DivisorReducer(), dt.type,
                t -> t.withDivisor(t.values().getManager().create(0L))), dt.type, 0, new double[9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reduce(new DivisorReducer(), dt.type, t -> t));
        assertTrue(e.getMessage().contains("divisor"), e.getMessage());
    }

    @Test
    void doNothingListsEveryTermWithItsIndices() {
        DoNothingReducer r = new DoNothingReducer();
        assertTrue(r.needsValues());
        try (NDManager m = TestDevice.manager()) {
            NDArray v = m.create(VALUES, new Shape(3, 3));
            LossTerms terms = LossTerms.of(v, m.create(MASK, new Shape(3, 3)));
            NDArray sum = r.reduce(terms.withName("pos_loss"));
            assertEquals(4.5, sum.getDouble(), 1e-15, "the loss stays the sum of the terms");
            ElementLosses e = r.lastLosses().get("pos_loss");
            assertEquals("pos_loss", e.name());
            assertArrayEquals(new long[] {0, 0, 0, 1, 1, 0, 2, 1, 2, 2}, e.indices().toLongArray());
            assertArrayEquals(new double[] {0.5, 0, 0, 4, 0}, e.losses().toDoubleArray(), 0);

            // rows standing for pairs (a, p): terms become triplets (a, p, n)
            r.reduce(terms.withRowIndices(m.create(new long[][] {{7, 8}, {9, 10}, {11, 12}})));
            Map<String, ElementLosses> last = r.lastLosses();
            assertEquals(2, last.size(), "one entry per sub-loss name");
            assertArrayEquals(new long[] {7, 8, 0, 7, 8, 1, 9, 10, 0, 11, 12, 1, 11, 12, 2},
                    last.get(LossTerms.DEFAULT_NAME).indices().toLongArray());

            // 1-D terms with row indices: each term is its row's tuple
            NDArray flat = m.create(new double[] {0.25, 0});
            r.reduce(LossTerms.of(flat).withName("loss").withRowIndices(m.create(new long[][] {{1, 2, 3}, {4, 5, 6}})));
            assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, r.lastLosses().get("loss").indices().toLongArray());
        }
    }

    @Test
    void rowAggregatesCannotBeListed() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[] {1, 2});
            LossTerms rows = LossTerms.ofRows(x, x, x, x);
            IllegalStateException e = assertThrows(IllegalStateException.class, rows::elements);
            assertTrue(e.getMessage().contains("needsValues"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> rows.withName(" "));
            assertThrows(IllegalArgumentException.class, () -> rows.withDivisor(x));
        }
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void multipleReducersPickByName(Dtype dt) {
        MultipleReducers r = MultipleReducers.builder().put("pos_loss", new SumReducer()).build();
        check("pos_loss: sum", reduce(r, dt.type, t -> t.withName("pos_loss")), dt.type, 4.5,
                at(1, 0, 1, 3, 7, 8));
        check("neg_loss: default mean", reduce(r, dt.type, t -> t.withName("neg_loss")), dt.type, 0.9,
                at(0.2, 0, 1, 3, 7, 8));
        MultipleReducers threshold = MultipleReducers.builder()
                .optDefaultReducer(ThresholdReducer.builder().optLow(0.1).build()).build();
        assertTrue(threshold.needsValues());
        assertTrue(!r.needsValues());
        assertThrows(IllegalArgumentException.class, () -> MultipleReducers.builder().put("", new SumReducer()));
    }

    private static NDArray labels(LossTerms t, long... labels) {
        return t.values().getManager().create(labels);
    }
}
