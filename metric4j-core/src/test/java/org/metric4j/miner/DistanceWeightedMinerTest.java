package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link DistanceWeightedMiner} by its sampling distribution: on the fixed batch of {@link
 * RandomMinerBatch}, the negatives drawn per anchor over many calls fit PML's weights (chi-square,
 * {@code p > 0.01}), the positives are uniform among the anchor's other items, and each anchor gets as
 * many triplets per call as its label has items, as PML's get_random_triplet_indices; against a
 * reference set the weights are PML's too.
 */
class DistanceWeightedMinerTest {

    /** Calls per dtype: 48 triplets each, about 20,000 draws. */
    private static int calls(DataType dtype) {
        return 420;
    }
    private static final long SEED = 42;

    /** PML's weights, checked once against the paper's formula computed here from the embeddings. */
    @Test
    void pmlWeightsAreThePapersFormula() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        double[][] pml = pmlWeights(batch);
        double[][] ours = formulaWeights(batch, 0.5, 1.4);
        for (int i = 0; i < pml.length; i++) {
            assertArrayEquals(pml[i], ours[i], 1e-9, "row " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT64", "FLOAT32"})
    void negativesFollowPmlWeightsAndPositivesAreUniform(DataType dtype) {
        RandomMinerBatch batch = RandomMinerBatch.load();
        int b = batch.size();
        double[][] w = pmlWeights(batch);
        long[][] negCounts = new long[b][b];
        long[][] posCounts = new long[b][b];
        DistanceWeightedMiner miner = DistanceWeightedMiner.builder().optSeed(SEED).build();
        long[] expectedAnchors = expectedAnchorOrder(batch, w);
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, dtype);
            NDArray y = batch.labels(m);
            for (int call = 0; call < calls(dtype); call++) {
                try (NDManager sub = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(sub);
                    long[][] t = miner.mine(xs, y).toArray();
                    assertEquals(expectedAnchors.length, t.length, dtype + " call " + call + ": triplet count");
                    for (int k = 0; k < t.length; k++) {
                        long a = t[k][0];
                        assertEquals(expectedAnchors[k], a, dtype + " call " + call + ": anchor of triplet " + k);
                        assertEquals(batch.labels[(int) a], batch.labels[(int) t[k][1]], "positive's label");
                        assertTrue(a != t[k][1], "the positive is not the anchor");
                        posCounts[(int) a][(int) t[k][1]]++;
                        negCounts[(int) a][(int) t[k][2]]++;
                    }
                }
            }
        }
        ChiSquare neg = new ChiSquare();
        ChiSquare pos = new ChiSquare();
        ChiSquare uniformNeg = new ChiSquare();
        for (int a = 0; a < b; a++) {
            neg.add(negCounts[a], w[a]);
            double[] same = new double[b];
            double[] flat = new double[b];
            int nonzero = 0;
            for (int j = 0; j < b; j++) {
                nonzero += w[a][j] > 0 ? 1 : 0;
            }
            for (int j = 0; j < b; j++) {
                same[j] = j != a && batch.labels[j] == batch.labels[a] ? 1.0 / 3 : 0;
                flat[j] = w[a][j] > 0 ? 1.0 / nonzero : 0;
            }
            pos.add(posCounts[a], same);
            uniformNeg.add(negCounts[a], flat);
        }
        String what = dtype + ", seed " + SEED + ", " + calls(dtype) + " calls";
        assertTrue(neg.pValue() > 0.01, what + ": negatives vs PML's weights, chi2 = " + neg.statistic()
                + " on " + neg.degrees() + " df, p = " + neg.pValue());
        assertTrue(pos.pValue() > 0.01, what + ": positives vs uniform, chi2 = " + pos.statistic()
                + " on " + pos.degrees() + " df, p = " + pos.pValue());
        // the test has power: the same draws reject uniform negatives outright
        assertTrue(uniformNeg.pValue() < 1e-6, what + ": uniform negatives should be rejected, p = "
                + uniformNeg.pValue());
    }

    @Test
    void sameSeedSameTripletsOtherSeedOthers() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            long[][] a = DistanceWeightedMiner.builder().optSeed(7).build().mine(x, y).toArray();
            long[][] again = DistanceWeightedMiner.builder().optSeed(7).build().mine(x, y).toArray();
            long[][] other = DistanceWeightedMiner.builder().optSeed(8).build().mine(x, y).toArray();
            long[][] generator = DistanceWeightedMiner.builder().optGenerator(new SplittableRandom(7)).build()
                    .mine(x, y).toArray();
            assertArrayEquals(a, again, "seed 7 twice");
            assertArrayEquals(a, generator, "optSeed(7) is a SplittableRandom(7)");
            assertEquals(a.length, other.length, "the triplet count does not depend on the seed");
            assertFalse(java.util.Arrays.deepEquals(a, other), "seeds 7 and 8 should draw differently");
            DistanceWeightedMiner one = DistanceWeightedMiner.builder().optSeed(7).build();
            long[][] first = one.mine(x, y).toArray();
            assertFalse(java.util.Arrays.deepEquals(first, one.mine(x, y).toArray()),
                    "a second call continues the stream");
        }
    }

    /** With a clock: the same triplets within an iteration, others after it, the same again on resuming. */
    @Test
    void aClockSeedsEachIteration() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            TrainingClock clock = new TrainingClock();
            clock.set(3);
            DistanceWeightedMiner miner = DistanceWeightedMiner.builder().optSeed(5).optClock(clock).build();
            long[][] first = miner.mine(x, y).toArray();
            assertArrayEquals(first, miner.mine(x, y).toArray(), "a second call in iteration 3");
            clock.advance();
            long[][] next = miner.mine(x, y).toArray();
            assertFalse(java.util.Arrays.deepEquals(first, next), "iteration 4 draws anew");
            TrainingClock resumed = new TrainingClock();
            resumed.set(3);
            assertArrayEquals(first, DistanceWeightedMiner.builder().optSeed(5).optClock(resumed).build()
                    .mine(x, y).toArray(), "a run resumed at iteration 3");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistanceWeightedMiner.builder()
                .optClock(new TrainingClock()).optGenerator(new SplittableRandom(1)).build());
        assertTrue(e.getMessage().contains("optClock"), e.getMessage());
    }

    /** As a triplet loss's miner: the loss of the triplets a same-seed miner draws. */
    @Test
    void aTripletLossUsesTheDrawnTriplets() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(0.5)
                    .optMiner(DistanceWeightedMiner.builder().optSeed(9).build()).build();
            TripletIndices same = DistanceWeightedMiner.builder().optSeed(9).build().mine(x, y);
            double viaMiner = loss.compute(x, y).toType(DataType.FLOAT64, false).getDouble();
            double direct = TripletMarginLoss.builder().optMargin(0.5).build().compute(x, same)
                    .toType(DataType.FLOAT64, false).getDouble();
            assertEquals(direct, viaMiner, 1e-12);
            assertTrue(viaMiner > 0, "some drawn triplet violates margin 0.5: " + viaMiner);
            assertEquals(48, same.size());
        }
    }

    /** Negatives all beyond the nonzero-loss cutoff: nothing is mined and the loss is 0. */
    @Test
    void farNegativesGiveNoTripletAndAZeroLoss() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[] {1, 0, 1, 0.1, -1, 0, -1, 0.1}, new Shape(4, 2));
            NDArray y = m.create(new long[] {0, 0, 1, 1});
            DistanceWeightedMiner miner = DistanceWeightedMiner.builder().build();
            assertEquals(0, miner.mine(x, y).size());
            TripletMarginLoss loss = TripletMarginLoss.builder().optMiner(miner).build();
            assertEquals(0.0, loss.compute(x, y).toType(DataType.FLOAT64, false).getDouble(), 0);
            // a looser cutoff lets them in
            assertEquals(4 * 2, DistanceWeightedMiner.builder().optNonzeroLossCutoff(2.5).build().mine(x, y).size());
        }
    }

    /** Queries against a reference set: PML's B x M weights, n_p triplets per anchor, n_p counted among the references. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT64", "FLOAT32"})
    void againstAReferenceSetTheWeightsArePmls(DataType dtype) {
        RandomMinerBatch batch = RandomMinerBatch.loadReferenceSplit();
        int q = batch.queries();
        double[][] pml = pmlWeights(batch);
        long[] pmlAnchors = anchors(batch);
        DistanceWeightedMiner miner = DistanceWeightedMiner.builder().optSeed(SEED).build();
        long[][] negCounts = new long[q][batch.size() - q];
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, dtype);
            NDArray y = batch.labels(m);
            NDArray xq = x.get("0:" + q);
            NDArray yq = y.get("0:" + q);
            NDArray xr = x.get(q + ":");
            NDArray yr = y.get(q + ":");
            MiningBatch mb = MiningBatch.of(LpDistance.euclidean(), xq, yq, xr, yr);
            double[][] w = miner.weights(HostIndices.rows(mb.matrix()), HostIndices.mask(mb.masks().negative()), 4);
            double tol = dtype == DataType.FLOAT64 ? 1e-9 : 2e-5;
            for (int i = 0; i < q; i++) {
                assertArrayEquals(pml[i], w[i], tol, dtype + " weights of query " + i);
            }
            for (int call = 0; call < 400; call++) {
                long[][] t = miner.mine(xq, yq, xr, yr).toArray();
                long[] a = new long[t.length];
                for (int k = 0; k < t.length; k++) {
                    a[k] = t[k][0];
                    assertEquals(batch.labels[(int) a[k]], batch.labels[q + (int) t[k][1]], "positive's label");
                    negCounts[(int) a[k]][(int) t[k][2]]++;
                }
                assertArrayEquals(pmlAnchors, a, dtype + " call " + call + ": PML's anchors, ascending");
            }
        }
        ChiSquare neg = new ChiSquare();
        for (int a = 0; a < q; a++) {
            neg.add(negCounts[a], pml[a]);
        }
        assertTrue(neg.pValue() > 0.01, dtype + ": negatives vs PML's reference weights, chi2 = " + neg.statistic()
                + " on " + neg.degrees() + " df, p = " + neg.pValue());
    }

    /** The relation derived from the labels mines the same triplets as the labels, for the same seed. */
    @Test
    void theRelationOfTheLabelsMinesTheSameTriplets() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            long[][] byLabels = DistanceWeightedMiner.builder().optSeed(3).build().mine(x, y).toArray();
            long[][] byRelation = DistanceWeightedMiner.builder().optSeed(3).build()
                    .mine(x, x, PairRelation.ofLabels(y)).toArray();
            assertArrayEquals(byLabels, byRelation, "batch against itself");
            assertEquals(48, byLabels.length);
            NDArray xq = x.get("0:5");
            NDArray yq = y.get("0:5");
            NDArray xr = x.get("5:");
            NDArray yr = y.get("5:");
            long[][] refLabels = DistanceWeightedMiner.builder().optSeed(3).build().mine(xq, yq, xr, yr).toArray();
            long[][] refRelation = DistanceWeightedMiner.builder().optSeed(3).build()
                    .mine(xq, xr, PairRelation.of(yq, yr)).toArray();
            assertArrayEquals(refLabels, refRelation, "queries against references");
            // the batch as its own reference set: nothing excluded, so the anchor may be its own positive
            long[][] asRefs = DistanceWeightedMiner.builder().optSeed(3).build().mine(x, y, x.duplicate(), y).toArray();
            assertEquals(48, asRefs.length, "4 references of each class per anchor");
            assertTrue(java.util.Arrays.stream(asRefs).anyMatch(t -> t[0] == t[1]), "some anchor is its own positive");
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistanceWeightedMiner.builder().optCutoff(0));
        assertTrue(e.getMessage().contains("cutoff") && e.getMessage().contains("got 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DistanceWeightedMiner.builder().optCutoff(Double.NaN));
        e = assertThrows(IllegalArgumentException.class,
                () -> DistanceWeightedMiner.builder().optNonzeroLossCutoff(-1));
        assertTrue(e.getMessage().contains("nonzeroLossCutoff"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistanceWeightedMiner.builder().optGenerator(null));
        assertTrue(e.getMessage().contains("generator"), e.getMessage());
        DistanceWeightedMiner miner = DistanceWeightedMiner.builder().build();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[] {1, 0, 0, 1, 1, 1}, new Shape(3, 2));
            e = assertThrows(IllegalArgumentException.class, () -> miner.mine(x, m.create(new long[] {0, 1})));
            assertTrue(e.getMessage().contains("labels"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> miner.mine(m.create(new double[] {1, 2}), m.create(new long[] {0, 1})));
            assertTrue(e.getMessage().contains("embeddings"), e.getMessage());
        }
    }

    private static long[] anchors(RandomMinerBatch batch) {
        return java.util.stream.StreamSupport.stream(batch.json.getAsJsonObject("distance_weighted")
                .getAsJsonArray("anchors").spliterator(), false).mapToLong(e -> e.getAsLong()).sorted().toArray();
    }

    private static double[][] pmlWeights(RandomMinerBatch batch) {
        return RandomMinerBatch.matrix(batch.json.getAsJsonObject("distance_weighted").getAsJsonArray("weights"));
    }

    /** Wu et al.'s weights as PML normalizes them, written from the formula. */
    private static double[][] formulaWeights(RandomMinerBatch batch, double cutoff, double nonzero) {
        double[][] dist = batch.normalizedDistances();
        int b = batch.size();
        int dim = batch.embeddings[0].length;
        double[][] w = new double[b][b];
        for (int i = 0; i < b; i++) {
            double sum = 0;
            for (int j = 0; j < b; j++) {
                double d = Math.max(cutoff, dist[i][j]);
                double q = Math.pow(d, 2 - dim) * Math.pow(1 - d * d / 4, -(dim - 3) / 2.0);
                w[i][j] = batch.labels[i] != batch.labels[j] && d < nonzero ? q : 0;
                sum += w[i][j];
            }
            for (int j = 0; j < b; j++) {
                w[i][j] /= sum;
            }
        }
        return w;
    }

    /** Anchors ascending, each anchor with a nonzero row n_p times. */
    private static long[] expectedAnchorOrder(RandomMinerBatch batch, double[][] w) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            long label = batch.labels[i];
            long np = java.util.Arrays.stream(batch.labels).filter(l -> l == label).count();
            if (java.util.Arrays.stream(w[i]).sum() > 0) {
                for (int t = 0; t < np; t++) {
                    out.add((long) i);
                }
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
