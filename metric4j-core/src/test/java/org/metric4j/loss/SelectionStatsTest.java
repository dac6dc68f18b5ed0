package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.Normalization;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.TripletMarginMiner;

/**
 * {@link SelectionStats} of the pair losses: the counts equal selections computed by hand (and by
 * a brute-force loop over every triplet), an empty selection is reported as such with a zero
 * loss, and a loss that selects nothing (CoCo) reports no selection.
 */
class SelectionStatsTest {

    private static final LpDistance RAW_L2 = LpDistance.of(Normalization.NONE, 1);

    /** 1-d points 0, 1, 1.5, 3.2 with labels 0, 0, 1, 1. */
    private static NDArray line(NDManager m) {
        return m.create(new double[] {0, 1, 1.5, 3.2}, new Shape(4, 1));
    }

    private static NDArray labels(NDManager m, long... y) {
        return m.create(y);
    }

    @Test
    void semiHardTripletsCountedAsByHand() {
        // t = d_an - d_ap with margin 1, semi-hard: 0 < t <= 1
        // (0,1,2) t = 1.5 - 1 = 0.5 yes; (0,1,3) 3.2 - 1 = 2.2 no; (1,0,2) 0.5 - 1 no; (1,0,3) 2.2 - 1 = 1.2 no;
        // (2,3,0) 1.5 - 1.7 no; (2,3,1) 0.5 - 1.7 no; (3,2,0) 3.2 - 1.7 = 1.5 no; (3,2,1) 2.2 - 1.7 = 0.5 yes
        try (NDManager m = TestDevice.manager()) {
            TripletMarginLoss loss = TripletMarginLoss.builder().optDistance(RAW_L2).optMargin(1.0)
                    .optMiner(TripletMarginMiner.builder().optDistance(RAW_L2).optMargin(1.0)
                            .optType(TripletMarginMiner.Type.SEMIHARD).build())
                    .build();
            assertTrue(loss.lastSelection().isEmpty(), "no call yet");
            double value = loss.compute(line(m), labels(m, 0, 0, 1, 1)).toType(DataType.FLOAT64, false).getDouble();
            assertEquals(2, loss.lastSelection().orElseThrow().count());
            assertFalse(loss.lastSelection().orElseThrow().empty());
            // AvgNonZero of the two hinges d_ap - d_an + m: 1 - 1.5 + 1 = 0.5 and 1.7 - 2.2 + 1 = 0.5
            assertEquals(0.5, value, 1e-9);
        }
    }

    @Test
    void allTripletsAndAllPairsCounted() {
        try (NDManager m = TestDevice.manager()) {
            TripletMarginLoss triplets = TripletMarginLoss.builder().optDistance(RAW_L2).build();
            triplets.compute(line(m), labels(m, 0, 0, 1, 1));
            // every anchor: one positive x two negatives
            assertEquals(8, triplets.lastSelection().orElseThrow().count());
            ContrastiveLoss pairs = ContrastiveLoss.builder().optDistance(RAW_L2).build();
            pairs.compute(line(m), labels(m, 0, 0, 1, 1));
            // ordered pairs without the diagonal: 4 positive + 8 negative
            assertEquals(12, pairs.lastSelection().orElseThrow().count());
            MultiSimilarityLoss ms = MultiSimilarityLoss.builder().build();
            ms.compute(line(m), labels(m, 0, 0, 1, 1));
            assertEquals(4, ms.lastSelection().orElseThrow().count(), "anchors with a selected pair");
        }
    }

    @Test
    void minedCountEqualsBruteForceOverSeeds() {
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            int b = 12;
            double[] x = new double[b * 3];
            long[] y = new long[b];
            for (int i = 0; i < b; i++) {
                y[i] = i % 3;
                for (int d = 0; d < 3; d++) {
                    x[i * 3 + d] = r.nextGaussian();
                }
            }
            double margin = 0.5;
            long expected = 0;
            for (int a = 0; a < b; a++) {
                for (int p = 0; p < b; p++) {
                    for (int n = 0; n < b; n++) {
                        if (a != p && y[a] == y[p] && y[n] != y[a]) {
                            double t = dist(x, a, n) - dist(x, a, p);
                            if (t > 0 && t <= margin) {
                                expected++;
                            }
                        }
                    }
                }
            }
            try (NDManager m = TestDevice.manager()) {
                TripletMarginLoss loss = TripletMarginLoss.builder().optDistance(RAW_L2)
                        .optMiner(TripletMarginMiner.builder().optDistance(RAW_L2).optMargin(margin)
                                .optType(TripletMarginMiner.Type.SEMIHARD).build())
                        .build();
                loss.compute(m.create(x, new Shape(b, 3)), m.create(y));
                assertEquals(expected, loss.lastSelection().orElseThrow().count(), "seed " + seed);
            }
        }
    }

    @Test
    void collapsedBatchSelectsNoSemiHardTripletButEveryBatchHardAnchor() {
        try (NDManager m = TestDevice.manager()) {
            NDArray collapsed = m.ones(new Shape(4, 2), DataType.FLOAT64);
            NDArray y = labels(m, 0, 0, 1, 1);
            TripletMarginLoss semiHard = TripletMarginLoss.builder().optDistance(RAW_L2).optMargin(0.2)
                    .optMiner(TripletMarginMiner.builder().optDistance(RAW_L2).optMargin(0.2)
                            .optType(TripletMarginMiner.Type.SEMIHARD).build())
                    .build();
            assertEquals(0.0, semiHard.compute(collapsed, y).toType(DataType.FLOAT64, false).getDouble());
            assertTrue(semiHard.lastSelection().orElseThrow().empty());
            TripletMarginLoss batchHard = TripletMarginLoss.builder().optDistance(RAW_L2).optMargin(0.2)
                    .optMiner(BatchHardMiner.builder().optDistance(RAW_L2).build()).build();
            // every distance 0: the loss sticks at the margin, with every anchor selected
            assertEquals(0.2, batchHard.compute(collapsed, y).toType(DataType.FLOAT64, false).getDouble(), 1e-9);
            assertEquals(4, batchHard.lastSelection().orElseThrow().count());
        }
    }

    @Test
    void noPositivePairIsAnEmptySelectionAndLossesWithoutSelectionReportNone() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = line(m);
            NDArray distinct = labels(m, 0, 1, 2, 3);
            TripletMarginLoss triplets = TripletMarginLoss.builder().optDistance(RAW_L2).build();
            triplets.compute(x, labels(m, 0, 0, 1, 1));
            assertEquals(0.0, triplets.compute(x, distinct).toType(DataType.FLOAT64, false).getDouble());
            assertTrue(triplets.lastSelection().orElseThrow().empty(), "the last call, not the first, is reported");
            NPairsLoss npairs = NPairsLoss.builder().build();
            npairs.compute(x, distinct);
            assertTrue(npairs.lastSelection().orElseThrow().empty());
            CoCoLoss coco = CoCoLoss.builder().build();
            coco.compute(x, distinct);
            assertTrue(coco.lastSelection().isEmpty());
        }
    }

    private static double dist(double[] x, int i, int j) {
        double s = 0;
        for (int d = 0; d < 3; d++) {
            double v = x[i * 3 + d] - x[j * 3 + d];
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
