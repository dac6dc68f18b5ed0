package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.array;
import static org.metric4j.math.NDTestSupport.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.PairRelation;
import org.metric4j.miner.AngularMiner;
import org.metric4j.miner.BatchEasyHardMiner;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.HDCMiner;
import org.metric4j.miner.MultiSimilarityMiner;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMarginMiner;
import org.metric4j.miner.PairMiner;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMarginMiner;
import org.metric4j.miner.TripletMiner;

/**
 * Reference sets and explicit relations ({@link ReferenceSetLoss}, {@link PairRelation}) on the
 * pair losses and the miners: the relation derived from labels gives the labelled result, a
 * multi-label relation gives hand-computed values, bad input names argument, value and
 * expectation.
 */
class ReferenceSetLossTest {

    private static final int B = 8;
    private static final int M = 10;
    private static final int D = 5;
    private static final long[] Y = {0, 1, 2, 0, 1, 2, 0, 1};
    private static final long[] YR = {0, 0, 1, 1, 2, 2, 3, 0, 1, 2};

    private static List<ReferenceSetLoss> losses() {
        return List.of(
                ContrastiveLoss.builder().build(),
                ContrastiveLoss.builder().optMiner(PairMarginMiner.builder().build()).build(),
                NTXentLoss.builder().build(),
                MultiSimilarityLoss.builder().build(),
                CircleLoss.builder().build(),
                SupConLoss.builder().build(),
                LiftedStructureLoss.builder().build(),
                GeneralizedLiftedStructureLoss.builder().build(),
                TupletMarginLoss.builder().build(),
                IntraPairVarianceLoss.builder().build(),
                NCALoss.builder().build(),
                SignalToNoiseRatioContrastiveLoss.builder().build(),
                TripletMarginLoss.builder().build(),
                TripletMarginLoss.builder().optSmoothLoss().build(),
                TripletMarginLoss.builder().optMiner(TripletMarginMiner.builder().build()).build(),
                AngularLoss.builder().build(),
                MarginLoss.builder().build(),
                MarginLoss.builder().optMiner(TripletMarginMiner.builder().build()).build());
    }

    private static double v(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    @Test
    void relationFromLabelsGivesTheLabelledLoss() {
        Random r = new Random(7);
        try (NDManager m = TestDevice.manager()) {
            NDArray x = array(m, gaussian(r, B * D), B, D, DataType.FLOAT64);
            NDArray ref = array(m, gaussian(r, M * D), M, D, DataType.FLOAT64);
            NDArray y = m.create(Y);
            NDArray yr = m.create(YR);
            for (ReferenceSetLoss loss : losses()) {
                MetricLoss metric = (MetricLoss) loss;
                double self = v(metric.compute(x, y));
                assertTrue(Double.isFinite(self) && self != 0, loss + ": vacuous case " + self);
                assertEquals(self, v(loss.compute(x, x, PairRelation.ofLabels(y))), 1e-12, loss + " (self)");
                double withRefs = v(loss.compute(x, y, ref, yr));
                assertTrue(Double.isFinite(withRefs), loss + ": not finite " + withRefs);
                assertEquals(withRefs, v(loss.compute(x, ref, PairRelation.of(y, yr))), 1e-12, loss + " (refs)");
                // the same int relation, written out as 1 / -1
                long[] rel = new long[B * M];
                for (int i = 0; i < B; i++) {
                    for (int j = 0; j < M; j++) {
                        rel[i * M + j] = Y[i] == YR[j] ? 1 : -1;
                    }
                }
                PairRelation explicit = PairRelation.ofMatrix(m.create(rel, new ai.djl.ndarray.types.Shape(B, M)));
                assertEquals(withRefs, v(loss.compute(x, ref, explicit)), 1e-12, loss + " (int relation)");
                // a reference set equal to the batch keeps the self pairs: not the self loss
                double keepsSelf = v(loss.compute(x, y, x.duplicate(), y));
                assertTrue(Double.isFinite(keepsSelf), loss + ": not finite " + keepsSelf);
            }
        }
    }

    /**
     * Items with label sets; positive = the sets share a label, otherwise negative. Queries (1,0)
     * {a}, (0,1) {a,b}, (-1,0) {c}; references (1,0) {a}, (0,1) {b}, (0,-1) {b,c}.
     */
    @Test
    void multiLabelRelationGivesHandComputedValues() {
        List<Set<String>> qs = List.of(Set.of("a"), Set.of("a", "b"), Set.of("c"));
        List<Set<String>> rs = List.of(Set.of("a"), Set.of("b"), Set.of("b", "c"));
        int[] rel = new int[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                rel[i * 3 + j] = qs.get(i).stream().anyMatch(rs.get(j)::contains) ? 1 : -1;
            }
        }
        assertArrayEquals(new int[] {1, -1, -1, 1, 1, 1, -1, -1, 1}, rel);
        try (NDManager m = TestDevice.manager()) {
            NDArray q = m.create(new double[] {1, 0, 0, 1, -1, 0}, new ai.djl.ndarray.types.Shape(3, 2));
            NDArray ref = m.create(new double[] {1, 0, 0, 1, 0, -1}, new ai.djl.ndarray.types.Shape(3, 2));
            PairRelation relation = PairRelation.ofMatrix(m.create(rel, new ai.djl.ndarray.types.Shape(3, 3)));
            double s2 = Math.sqrt(2);
            // positives at distances 0, sqrt2, 0, 2, sqrt2 (mean of the non-zero ones);
            // negatives at sqrt2, sqrt2, 2, sqrt2: relu(1.5 - d) non-zero for the three sqrt2
            ContrastiveLoss contrastive = ContrastiveLoss.builder().optNegMargin(1.5).build();
            assertEquals((2 * s2 + 2) / 3 + (1.5 - s2), v(contrastive.compute(q, ref, relation)), 1e-9);
            // ignoring the pair (q1, r2) drops the positive at distance 2
            rel[5] = 0;
            PairRelation ignored = PairRelation.ofMatrix(m.create(rel, new ai.djl.ndarray.types.Shape(3, 3)));
            assertEquals(s2 + (1.5 - s2), v(contrastive.compute(q, ref, ignored)), 1e-9);
            // triplets: q0 (p r0 at 0, n at sqrt2) all zero; q1 has no negative; q2: p r2 at
            // sqrt2, n r0 at 2 -> 0, n r1 at sqrt2 -> margin 0.05: mean over non-zero = 0.05
            assertEquals(0.05, v(TripletMarginLoss.builder().build().compute(q, ref, relation)), 1e-9);
        }
    }

    @Test
    void minersMineReferenceRows() {
        Random r = new Random(11);
        List<PairMiner> pairMiners = List.of(PairMarginMiner.builder().build(), MultiSimilarityMiner.builder().build(),
                HDCMiner.builder().build(), BatchEasyHardMiner.builder().build());
        List<TripletMiner> tripletMiners = List.of(TripletMarginMiner.builder().build(),
                BatchHardMiner.builder().build(), AngularMiner.builder().build(),
                BatchEasyHardMiner.builder().build().asTripletMiner());
        try (NDManager m = TestDevice.manager()) {
            NDArray x = array(m, gaussian(r, B * D), B, D, DataType.FLOAT64);
            NDArray ref = array(m, gaussian(r, M * D), M, D, DataType.FLOAT64);
            NDArray y = m.create(Y);
            NDArray yr = m.create(YR);
            for (PairMiner miner : pairMiners) {
                PairIndices self = miner.mine(x, y);
                PairIndices viaRelation = miner.mine(x, x, PairRelation.ofLabels(y));
                assertArrayEquals(self.positivePairs(), viaRelation.positivePairs(), miner.toString());
                assertArrayEquals(self.negativePairs(), viaRelation.negativePairs(), miner.toString());
                PairIndices refs = miner.mine(x, y, ref, yr);
                assertEquals(new ai.djl.ndarray.types.Shape(B, M), refs.positiveMask().getShape(), miner.toString());
                PairIndices refsViaRelation = miner.mine(x, ref, PairRelation.of(y, yr));
                assertArrayEquals(refs.positivePairs(), refsViaRelation.positivePairs(), miner.toString());
                assertArrayEquals(refs.negativePairs(), refsViaRelation.negativePairs(), miner.toString());
                for (long[] p : refs.positivePairs()) {
                    assertEquals(Y[(int) p[0]], YR[(int) p[1]], miner + ": positive " + p[0] + "," + p[1]);
                }
                for (long[] n : refs.negativePairs()) {
                    assertTrue(Y[(int) n[0]] != YR[(int) n[1]], miner + ": negative " + n[0] + "," + n[1]);
                }
            }
            for (TripletMiner miner : tripletMiners) {
                assertArrayEquals(miner.mine(x, y).toArray(), miner.mine(x, x, PairRelation.ofLabels(y)).toArray(),
                        miner.toString());
                TripletIndices refs = miner.mine(x, y, ref, yr);
                assertArrayEquals(refs.toArray(), miner.mine(x, ref, PairRelation.of(y, yr)).toArray(),
                        miner.toString());
                for (long[] t : refs.toArray()) {
                    assertTrue(Y[(int) t[0]] == YR[(int) t[1]] && Y[(int) t[0]] != YR[(int) t[2]],
                            miner + ": triplet " + java.util.Arrays.toString(t));
                }
            }
            // batch-hard against the references, by hand: per query the farthest same-label and
            // the closest other-label reference (L2 on normalized rows)
            TripletIndices hard = BatchHardMiner.builder().build().mine(x, y, ref, yr);
            double[][] xn = org.metric4j.math.NDTestSupport.normalizeRows(
                    org.metric4j.math.NDTestSupport.rows(x.toDoubleArray(), B, D));
            double[][] rn = org.metric4j.math.NDTestSupport.normalizeRows(
                    org.metric4j.math.NDTestSupport.rows(ref.toDoubleArray(), M, D));
            long[][] got = hard.toArray();
            assertEquals(B, got.length);
            for (int i = 0; i < B; i++) {
                int far = -1;
                int near = -1;
                for (int j = 0; j < M; j++) {
                    double d = dist(xn[i], rn[j]);
                    if (Y[i] == YR[j] && (far < 0 || d > dist(xn[i], rn[far]))) {
                        far = j;
                    }
                    if (Y[i] != YR[j] && (near < 0 || d < dist(xn[i], rn[near]))) {
                        near = j;
                    }
                }
                assertArrayEquals(new long[] {i, far, near}, got[i], "query " + i);
            }
        }
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return Math.sqrt(s);
    }

    /**
     * Values of pytorch-metric-learning 2.8.1 with default arguments, {@code loss(x, y,
     * ref_emb=r, ref_labels=yr)} in float64 on the arrays below (B = 4 queries, M = 6
     * references).
     */
    @Test
    void referenceSetLossesMatchPml() {
        double[] xv = {1.540996, -0.293429, -2.178789, 0.568431, -1.084522, -1.398595, 0.403347, 0.838026,
            -0.719258, -0.403344, -0.596635, 0.182036};
        double[] rv = {0.230915, -0.619569, 0.519999, -0.952886, -0.091742, 0.556323, -0.009446, -1.217688,
            -1.265465, -1.119535, -1.746405, 1.041012, 0.653924, 0.148215, -1.146109, 1.872776, -0.309915, 0.24018};
        java.util.Map<ReferenceSetLoss, Double> expected = new java.util.LinkedHashMap<>();
        expected.put(ContrastiveLoss.builder().build(), 1.816554179882615);
        expected.put(NTXentLoss.builder().build(), 14.473563286447307);
        expected.put(MultiSimilarityLoss.builder().build(), 1.7129397410755187);
        expected.put(CircleLoss.builder().build(), 250.18334355542055);
        expected.put(SupConLoss.builder().build(), 11.38807350625426);
        expected.put(LiftedStructureLoss.builder().build(), 4.909203989210961);
        expected.put(GeneralizedLiftedStructureLoss.builder().build(), 3.6837034349533395);
        expected.put(TupletMarginLoss.builder().build(), 60.27586946904246);
        expected.put(IntraPairVarianceLoss.builder().build(), 0.3131946102544133);
        expected.put(NCALoss.builder().build(), 1.846109462164083);
        expected.put(SignalToNoiseRatioContrastiveLoss.builder().build(), 3.0302239953960126);
        expected.put(TripletMarginLoss.builder().build(), 0.7934226408308191);
        expected.put(AngularLoss.builder().build(), 5.583724372372172);
        expected.put(MarginLoss.builder().build(), 0.6233858732568532);
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(xv, new ai.djl.ndarray.types.Shape(4, 3));
            NDArray ref = m.create(rv, new ai.djl.ndarray.types.Shape(6, 3));
            NDArray y = m.create(new long[] {0, 1, 0, 1});
            NDArray yr = m.create(new long[] {0, 1, 1, 0, 2, 1});
            for (java.util.Map.Entry<ReferenceSetLoss, Double> e : expected.entrySet()) {
                double got = v(e.getKey().compute(x, y, ref, yr));
                // the fixtures' float64 tolerance: PML keeps MarginLoss's beta as a float32 tensor
                assertEquals(e.getValue(), got, 1e-7 * Math.max(1, Math.abs(e.getValue())), e.getKey().toString());
            }
            // a learnable per-class beta (PML: learn_beta=True, num_classes=3, nu=0.1, beta set to
            // float32 1.0, 1.3, 0.9): loss 0.7193687762191561, beta gradient [-0.1254902, 0.0941177, 0]
            NDArray betas = m.create(new double[] {1.0, (float) 1.3, (float) 0.9});
            betas.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = MarginLoss.builder().optNu(0.1).build().compute(x, y, ref, yr, betas);
                assertEquals(0.7193687762191561, v(loss), 1e-7);
                gc.backward(loss);
            }
            assertArrayEquals(new double[] {-0.125490203499794, 0.0941176563501358, 0.0},
                    betas.getGradient().toDoubleArray(), 1e-6);
            // fewer references than queries: PML 1.7329699090412491 for the lifted structure
            assertEquals(1.7329699090412491, v(LiftedStructureLoss.builder().build()
                    .compute(x, y, ref.get("0:3"), yr.get("0:3"))), 1e-9);
        }
    }

    private static String pairs(long[][] p) {
        StringBuilder sb = new StringBuilder();
        for (long[] t : p) {
            sb.append(java.util.Arrays.toString(t));
        }
        return sb.toString();
    }

    private static String sortedTriplets(TripletIndices t) {
        long[][] rows = t.toArray();
        java.util.Arrays.sort(rows, java.util.Comparator.<long[]>comparingLong(r -> r[0])
                .thenComparingLong(r -> r[1]).thenComparingLong(r -> r[2]));
        return pairs(rows);
    }

    /**
     * Mined pairs and triplets of pytorch-metric-learning 2.8.1 with default arguments, {@code
     * miner(x, y, r, yr)}, on the arrays of {@link #referenceSetLossesMatchPml}: indices index the
     * references.
     */
    @Test
    void referenceSetMinersMatchPml() {
        double[] xv = {1.540996, -0.293429, -2.178789, 0.568431, -1.084522, -1.398595, 0.403347, 0.838026,
            -0.719258, -0.403344, -0.596635, 0.182036};
        double[] rv = {0.230915, -0.619569, 0.519999, -0.952886, -0.091742, 0.556323, -0.009446, -1.217688,
            -1.265465, -1.119535, -1.746405, 1.041012, 0.653924, 0.148215, -1.146109, 1.872776, -0.309915, 0.24018};
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(xv, new ai.djl.ndarray.types.Shape(4, 3));
            NDArray ref = m.create(rv, new ai.djl.ndarray.types.Shape(6, 3));
            NDArray y = m.create(new long[] {0, 1, 0, 1});
            NDArray yr = m.create(new long[] {0, 1, 1, 0, 2, 1});
            PairIndices pm = PairMarginMiner.builder().build().mine(x, y, ref, yr);
            assertEquals("[0, 0][0, 3][1, 1][1, 2][1, 5][2, 0][2, 3][3, 1][3, 2][3, 5]", pairs(pm.positivePairs()));
            assertEquals("[0, 4][1, 4][2, 4][3, 3]", pairs(pm.negativePairs()));
            PairIndices ms = MultiSimilarityMiner.builder().build().mine(x, y, ref, yr);
            assertEquals("[0, 0][0, 3][1, 1][1, 5][2, 0][2, 3][3, 1][3, 2][3, 5]", pairs(ms.positivePairs()));
            assertEquals("[0, 2][0, 4][0, 5][1, 0][1, 3][1, 4][2, 1][2, 2][2, 4][2, 5][3, 0][3, 3]",
                    pairs(ms.negativePairs()));
            PairIndices hdc = HDCMiner.builder().build().mine(x, y, ref, yr);
            assertEquals("[0, 3][1, 1][2, 0][2, 3][3, 5]", pairs(hdc.positivePairs()));
            assertEquals("[0, 2][0, 4][0, 5][1, 4][2, 4][3, 0][3, 3]", pairs(hdc.negativePairs()));
            PairIndices beh = BatchEasyHardMiner.builder().build().mine(x, y, ref, yr);
            assertEquals("[0, 0][1, 2][3, 1]", pairs(beh.positivePairs()));
            assertEquals("[0, 1][1, 4][3, 0]", pairs(beh.negativePairs()));
            assertEquals("[0, 3, 4][1, 1, 4][2, 3, 4][3, 5, 3]",
                    sortedTriplets(BatchHardMiner.builder().build().mine(x, y, ref, yr)));
            assertEquals("[0, 0, 2][0, 0, 4][0, 0, 5][0, 3, 1][0, 3, 2][0, 3, 4][0, 3, 5][1, 1, 0][1, 1, 3][1, 1, 4]"
                    + "[1, 5, 0][1, 5, 4][2, 0, 1][2, 0, 2][2, 0, 4][2, 0, 5][2, 3, 1][2, 3, 2][2, 3, 4][2, 3, 5]"
                    + "[3, 1, 0][3, 1, 3][3, 2, 0][3, 2, 3][3, 5, 0][3, 5, 3][3, 5, 4]",
                    sortedTriplets(TripletMarginMiner.builder().optMargin(0.2)
                            .optType(TripletMarginMiner.Type.ALL).build().mine(x, y, ref, yr)));
            assertEquals("[0, 0, 1][0, 0, 2][0, 0, 4][0, 0, 5][0, 3, 1][0, 3, 2][0, 3, 4][0, 3, 5][1, 1, 0][1, 1, 3]"
                    + "[1, 1, 4][1, 5, 0][1, 5, 3][1, 5, 4][2, 0, 1][2, 0, 2][2, 0, 4][2, 0, 5][2, 3, 1][2, 3, 2]"
                    + "[2, 3, 4][2, 3, 5][3, 1, 0][3, 2, 0][3, 2, 3][3, 2, 4][3, 5, 0][3, 5, 3][3, 5, 4]",
                    sortedTriplets(AngularMiner.builder().build().mine(x, y, ref, yr)));
        }
    }

    @Test
    void gradientsReachTheReferences() {
        Random r = new Random(3);
        try (NDManager m = TestDevice.manager()) {
            NDArray x = array(m, gaussian(r, B * D), B, D, DataType.FLOAT64);
            NDArray ref = array(m, gaussian(r, M * D), M, D, DataType.FLOAT64);
            ref.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = ContrastiveLoss.builder().build().compute(x, m.create(Y), ref, m.create(YR));
                gc.backward(loss);
            }
            double norm = ref.getGradient().abs().sum().getDouble();
            assertTrue(norm > 0 && Double.isFinite(norm), "reference gradient " + norm);
        }
    }

    @Test
    void badInputNamesArgumentValueAndExpectation() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(4, D)).toType(DataType.FLOAT64, false);
            NDArray wide = m.randomNormal(new ai.djl.ndarray.types.Shape(5, D + 1)).toType(DataType.FLOAT64, false);
            NDArray ref = m.randomNormal(new ai.djl.ndarray.types.Shape(5, D)).toType(DataType.FLOAT64, false);
            NDArray y4 = m.create(new long[] {0, 1, 0, 1});
            NDArray y5 = m.create(new long[] {0, 1, 0, 1, 2});
            for (ReferenceSetLoss loss : List.of(ContrastiveLoss.builder().build(), TripletMarginLoss.builder().build(),
                    NTXentLoss.builder().build())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loss.compute(x, y4, wide, y5));
                assertTrue(e.getMessage().contains("refEmbeddings") && e.getMessage().contains("(" + D + ")")
                        && e.getMessage().contains("(5, " + (D + 1) + ")"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> loss.compute(x, y4, ref, y4));
                assertTrue(e.getMessage().contains("refLabels") && e.getMessage().contains("(5)")
                        && e.getMessage().contains("got 4"), e.getMessage());
                PairRelation square = PairRelation.ofLabels(y4);
                e = assertThrows(IllegalArgumentException.class, () -> loss.compute(x, ref, square));
                assertTrue(e.getMessage().contains("relation must be 4 x 5") && e.getMessage().contains("(4, 4)"),
                        e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PairMarginMiner.builder().build().mine(x, y4, wide, y5));
            assertTrue(e.getMessage().contains("refEmbeddings"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> BatchHardMiner.builder().build().mine(x, ref, PairRelation.ofLabels(y4)));
            assertTrue(e.getMessage().contains("relation must be 4 x 5"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> PairRelation.ofMatrix(m.create(new int[] {1, 2, 0, -1}, new ai.djl.ndarray.types.Shape(2, 2))));
            assertTrue(e.getMessage().contains("got 2 at [0, 1]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PairRelation.ofMatrix(m.create(new int[] {1, 0})));
            assertTrue(e.getMessage().contains("2-D") && e.getMessage().contains("(2)"), e.getMessage());
        }
    }

    @Test
    void relationNarrowingAndSelfRemoval() {
        try (NDManager m = TestDevice.manager()) {
            PairRelation all = PairRelation.of(m.create(new long[] {0, 1}), m.create(new long[] {0, 0, 1}));
            PairRelation noSelf = all.withoutSelf(m.create(new long[] {1, -1}));
            assertArrayEquals(new boolean[] {true, false, false, false, false, true},
                    noSelf.positive().toBooleanArray());
            assertArrayEquals(all.negative().toBooleanArray(), noSelf.negative().toBooleanArray());
            PairRelation t = all.narrowToTriplets(m.create(new long[] {0}), m.create(new long[] {1}),
                    m.create(new long[] {2}));
            assertArrayEquals(new boolean[] {false, true, false, false, false, false}, t.positive().toBooleanArray());
            assertArrayEquals(new boolean[] {false, false, true, false, false, false}, t.negative().toBooleanArray());
        }
    }
}
