package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.miner.EmbeddingsAlreadyPackagedAsTriplets;

/**
 * {@link MultipleLosses} on three unit vectors worked by hand: anchor (1, 0), positive (0.8, 0.6),
 * negative (0, 1), labels 0, 0, 1, so d01 = sqrt 0.4, d02 = sqrt 2, d12 = sqrt 0.8. With margin 1,
 * the packaged-triplet miner selects (0, 1, 2) only, loss 1 + sqrt 0.4 - sqrt 2; without a miner
 * the triplets are (0, 1, 2) and (1, 0, 2), and AvgNonZero averages 1 + sqrt 0.4 - sqrt 2 and
 * 1 + sqrt 0.4 - sqrt 0.8.
 */
class MultipleLossesTest {

    private static final double[] X = {1, 0, 0.8, 0.6, 0, 1};
    private static final long[] Y = {0, 0, 1};
    private static final double MINED = 1 + Math.sqrt(0.4) - Math.sqrt(2);
    private static final double ALL = (MINED + 1 + Math.sqrt(0.4) - Math.sqrt(0.8)) / 2;

    private static TripletMarginLoss mined() {
        return TripletMarginLoss.builder().optMargin(1).optMiner(EmbeddingsAlreadyPackagedAsTriplets.create()).build();
    }

    private static TripletMarginLoss unmined() {
        return TripletMarginLoss.builder().optMargin(1).build();
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT64", "FLOAT32"})
    void eachComponentMinesWithItsOwnMiner(DataType dtype) {
        double tol = dtype == DataType.FLOAT64 ? 1e-12 : 1e-6;
        try (NDManager m = TestDevice.manager()) {
            MultipleLosses weighted = MultipleLosses.builder().add(mined(), 0.5).add(unmined(), 2).build();
            double v = NDTestSupport.valueOf(m, X, 3, 2, dtype, x -> weighted.compute(x, m.create(Y)));
            assertEquals(0.5 * MINED + 2 * ALL, v, tol, dtype + ": 0.5 * mined + 2 * all triplets");
            MultipleLosses plain = MultipleLosses.of(mined(), unmined());
            assertEquals(1.0, plain.weight(0));
            assertEquals(1.0, plain.weight(1));
            double p = NDTestSupport.valueOf(m, X, 3, 2, dtype, x -> plain.compute(x, m.create(Y)));
            assertEquals(MINED + ALL, p, tol, dtype + ": weights default to 1");
            // one triplet from the mined component, two from the other
            assertEquals(3, plain.lastSelection().orElseThrow().count());
        }
    }

    @Test
    void gradientIsTheWeightedSumOfTheComponents() {
        try (NDManager m = TestDevice.manager()) {
            MultipleLosses loss = MultipleLosses.builder().add(mined(), 0.5).add(unmined(), 2).build();
            ValueAndGrad total = NDTestSupport.valueAndGrad(m, X, 3, 2, DataType.FLOAT64,
                    x -> loss.compute(x, m.create(Y)));
            ValueAndGrad a = NDTestSupport.valueAndGrad(m, X, 3, 2, DataType.FLOAT64, x -> mined().compute(x, m.create(Y)));
            ValueAndGrad b = NDTestSupport.valueAndGrad(m, X, 3, 2, DataType.FLOAT64,
                    x -> unmined().compute(x, m.create(Y)));
            double[] expected = new double[X.length];
            for (int i = 0; i < X.length; i++) {
                expected[i] = 0.5 * a.grad()[i] + 2 * b.grad()[i];
            }
            assertArrayEquals(expected, total.grad(), 1e-12);
            assertEquals(DataType.FLOAT64, total.dtype());
            assertEquals(0, total.shape().dimension(), "a scalar");
        }
    }

    /**
     * Distinct labels: the triplet loss has no triplet, and the contrastive loss (negative margin
     * 0.5) only negative pairs already beyond it (every distance is at least sqrt 0.4): the sum
     * is 0 with a zero gradient.
     */
    @Test
    void emptySelectionGivesZeroWithZeroGradient() {
        try (NDManager m = TestDevice.manager()) {
            MultipleLosses loss = MultipleLosses.builder().add(unmined(), 3)
                    .add(ContrastiveLoss.builder().optNegMargin(0.5).build()).build();
            ValueAndGrad v = NDTestSupport.valueAndGrad(m, X, 3, 2, DataType.FLOAT64,
                    x -> loss.compute(x, m.create(new long[] {0, 1, 2})));
            assertEquals(0.0, v.value(), 0);
            assertArrayEquals(new double[X.length], v.grad(), 0);
            assertEquals(0, loss.components().get(0).lastSelection().orElseThrow().count());
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultipleLosses.builder().build());
        assertTrue(e.getMessage().contains("at least one component"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultipleLosses.builder().add(unmined(), -1));
        assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("-1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MultipleLosses.builder().add(unmined(), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> MultipleLosses.builder().add(null));
        e = assertThrows(IllegalArgumentException.class, () -> MultipleLosses.of(unmined()).weight(1));
        assertTrue(e.getMessage().contains("got 1"), e.getMessage());
    }
}
