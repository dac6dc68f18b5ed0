package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.PairRelation;
import org.metric4j.loss.TripletMarginLoss;

/** {@link EmbeddingsAlreadyPackagedAsTriplets}: rows (3t, 3t + 1, 3t + 2), whatever the labels. */
class EmbeddingsAlreadyPackagedAsTripletsTest {

    @Test
    void consecutiveRowsAreTheTriplets() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new Shape(6, 3)).toType(DataType.FLOAT64, false);
            // labels are not read: the layout is the ground truth
            TripletIndices t = EmbeddingsAlreadyPackagedAsTriplets.create().mine(x, m.create(new long[] {4, 4, 2, 7, 7, 7}));
            assertArrayEquals(new long[][] {{0, 1, 2}, {3, 4, 5}}, t.toArray());
        }
    }

    /** As a triplet loss's miner: the loss of exactly the packaged triplets, worked by hand. */
    @Test
    void tripletLossOfThePackagedTriplets() {
        try (NDManager m = TestDevice.manager()) {
            // anchor (1, 0), positive (0.8, 0.6), negative (0, 1): unit vectors already
            // d_ap = sqrt(0.04 + 0.36) = sqrt(0.4), d_an = sqrt 2; margin 1: 1 + sqrt(0.4) - sqrt(2) > 0
            NDArray x = m.create(new double[][] {{1, 0}, {0.8, 0.6}, {0, 1}});
            TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(1)
                    .optMiner(EmbeddingsAlreadyPackagedAsTriplets.create()).build();
            double v = loss.compute(x, m.create(new long[] {0, 0, 1})).toType(DataType.FLOAT64, false).getDouble();
            assertEquals(1 + Math.sqrt(0.4) - Math.sqrt(2), v, 1e-12);
        }
    }

    /** PML ignores a reference set; here it is refused, and a relation is taken only for the batch itself. */
    @Test
    void aReferenceSetIsRefused() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new Shape(6, 3));
            NDArray y = m.create(new long[] {0, 0, 1, 2, 2, 3});
            EmbeddingsAlreadyPackagedAsTriplets miner = EmbeddingsAlreadyPackagedAsTriplets.create();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> miner.mine(x, y, x, y));
            assertTrue(e.getMessage().contains("refEmbeddings") && e.getMessage().contains("reference set"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> miner.mine(x, m.randomNormal(new Shape(6, 3)), PairRelation.ofLabels(y)));
            assertTrue(e.getMessage().contains("refEmbeddings") && e.getMessage().contains("(6, 3)"), e.getMessage());
            assertArrayEquals(new long[][] {{0, 1, 2}, {3, 4, 5}}, miner.mine(x, x, PairRelation.ofLabels(y)).toArray());
            e = assertThrows(IllegalArgumentException.class,
                    () -> miner.mine(x, x, PairRelation.ofLabels(m.create(new long[] {0, 1, 2}))));
            assertTrue(e.getMessage().contains("6 x 6"), e.getMessage());
        }
    }

    @Test
    void batchNotAMultipleOfThreeIsRefused() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new Shape(4, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingsAlreadyPackagedAsTriplets.create().mine(x, m.create(new long[] {0, 0, 1, 1})));
            assertTrue(e.getMessage().contains("multiple of 3") && e.getMessage().contains("B = 4"), e.getMessage());
        }
    }
}
