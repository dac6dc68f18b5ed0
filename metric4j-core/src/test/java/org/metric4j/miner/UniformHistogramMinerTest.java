package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.PairRelation;
import org.metric4j.loss.ContrastiveLoss;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link UniformHistogramMiner} by its sampling distribution on the fixed batch of {@link
 * RandomMinerBatch}, with 10 bins: every call draws 10 pairs from each bin PML finds non-empty,
 * bin by bin, each block only from the members PML puts in that bin; over many calls the draws
 * within a bin are uniform (chi-square, {@code p > 0.01}).
 */
class UniformHistogramMinerTest {

    private static final int BINS = 10;
    private static final int PER_BIN = 10;
    private static final int CALLS = 150;
    private static final long SEED = 3;

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT64", "FLOAT32"})
    void drawsAreUniformWithinPmlsBins(DataType dtype) {
        RandomMinerBatch batch = RandomMinerBatch.load();
        JsonObject uh = batch.json.getAsJsonObject("uniform_histogram");
        List<List<String>> posBins = bins(uh.getAsJsonArray("pos_bins"));
        List<List<String>> negBins = bins(uh.getAsJsonArray("neg_bins"));
        long[][] posCounts = counts(posBins);
        long[][] negCounts = counts(negBins);
        UniformHistogramMiner miner = UniformHistogramMiner.builder().optNumBins(BINS).optPosPerBin(PER_BIN)
                .optNegPerBin(PER_BIN).optSeed(SEED).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, dtype);
            NDArray y = batch.labels(m);
            for (int call = 0; call < CALLS; call++) {
                UniformHistogramMiner.Draws d = miner.sample(x, y);
                String what = dtype + " call " + call;
                tally(what + " positives", d.positivePairs(), posBins, posCounts);
                tally(what + " negatives", d.negativePairs(), negBins, negCounts);
            }
        }
        ChiSquare pos = uniform(posCounts);
        ChiSquare neg = uniform(negCounts);
        String what = dtype + ", seed " + SEED + ", " + CALLS + " calls";
        assertTrue(pos.pValue() > 0.01, what + ": positives, chi2 = " + pos.statistic() + " on " + pos.degrees()
                + " df, p = " + pos.pValue());
        assertTrue(neg.pValue() > 0.01, what + ": negatives, chi2 = " + neg.statistic() + " on " + neg.degrees()
                + " df, p = " + neg.pValue());
    }

    /** Queries against a reference set: every draw from PML's bin of queries x references. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT64", "FLOAT32"})
    void againstAReferenceSetDrawsComeFromPmlsBins(DataType dtype) {
        RandomMinerBatch batch = RandomMinerBatch.loadReferenceSplit();
        int q = batch.queries();
        JsonObject uh = batch.json.getAsJsonObject("uniform_histogram");
        List<List<String>> posBins = bins(uh.getAsJsonArray("pos_bins"));
        List<List<String>> negBins = bins(uh.getAsJsonArray("neg_bins"));
        long[][] posCounts = counts(posBins);
        long[][] negCounts = counts(negBins);
        UniformHistogramMiner miner = UniformHistogramMiner.builder().optNumBins(BINS).optSeed(SEED).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, dtype);
            NDArray y = batch.labels(m);
            NDArray xq = x.get("0:" + q);
            NDArray yq = y.get("0:" + q);
            NDArray xr = x.get(q + ":");
            NDArray yr = y.get(q + ":");
            for (int call = 0; call < 20; call++) {
                UniformHistogramMiner.Draws d = miner.sample(xq, yq, xr, yr);
                tally(dtype + " call " + call + " positives", d.positivePairs(), posBins, posCounts);
                tally(dtype + " call " + call + " negatives", d.negativePairs(), negBins, negCounts);
            }
            PairIndices p = UniformHistogramMiner.builder().optNumBins(BINS).optSeed(SEED).build().mine(xq, yq, xr, yr);
            assertEquals(new ai.djl.ndarray.types.Shape(q, batch.size() - q), p.positiveMask().getShape());
        }
    }

    /** The relation derived from the labels draws what the labels do, for the same seed. */
    @Test
    void theRelationOfTheLabelsDrawsTheSamePairs() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT32);
            NDArray y = batch.labels(m);
            UniformHistogramMiner.Draws a = UniformHistogramMiner.builder().optSeed(6).build().sample(x, y);
            UniformHistogramMiner.Draws b = UniformHistogramMiner.builder().optSeed(6).build()
                    .sample(x, x, PairRelation.ofLabels(y));
            assertArrayEquals(a.positivePairs(), b.positivePairs());
            assertArrayEquals(a.negativePairs(), b.negativePairs());
            NDArray xq = x.get("0:5");
            NDArray yq = y.get("0:5");
            NDArray xr = x.get("5:");
            NDArray yr = y.get("5:");
            UniformHistogramMiner.Draws c = UniformHistogramMiner.builder().optSeed(6).build().sample(xq, yq, xr, yr);
            UniformHistogramMiner.Draws e = UniformHistogramMiner.builder().optSeed(6).build()
                    .sample(xq, xr, PairRelation.of(yq, yr));
            assertArrayEquals(c.positivePairs(), e.positivePairs());
            assertArrayEquals(c.negativePairs(), e.negativePairs());
            // the batch as its own reference set: nothing excluded, so self pairs (distance 0) are drawn
            UniformHistogramMiner.Draws self = UniformHistogramMiner.builder().optSeed(6).build()
                    .sample(x, y, x.duplicate(), y);
            assertTrue(Arrays.stream(self.positivePairs()).anyMatch(pr -> pr[0] == pr[1]), "a self pair is drawn");
            assertTrue(Arrays.stream(a.positivePairs()).noneMatch(pr -> pr[0] == pr[1]), "but not in the batch");
        }
    }

    @Test
    void minedMasksHoldEachDrawnPairOnce() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            UniformHistogramMiner.Draws d = UniformHistogramMiner.builder().optSeed(5).build().sample(x, y);
            PairIndices p = UniformHistogramMiner.builder().optSeed(5).build().mine(x, y);
            assertEquals(distinct(d.positivePairs()), distinct(p.positivePairs()));
            assertEquals(distinct(d.negativePairs()), distinct(p.negativePairs()));
            // PML's defaults: 100 bins, 10 per non-empty bin
            assertEquals(0, d.positivePairs().length % 10);
            assertEquals(0, d.negativePairs().length % 10);
            assertTrue(d.positivePairs().length > distinct(d.positivePairs()).size(), "draws repeat pairs");
        }
    }

    /** As a pair loss's miner: the contrastive loss selects exactly the distinct pairs drawn. */
    @Test
    void aPairLossSelectsTheDistinctDrawnPairs() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT32);
            NDArray y = batch.labels(m);
            UniformHistogramMiner.Draws d = UniformHistogramMiner.builder().optSeed(4).optNumBins(BINS).build()
                    .sample(x, y);
            ContrastiveLoss loss = ContrastiveLoss.builder()
                    .optMiner(UniformHistogramMiner.builder().optSeed(4).optNumBins(BINS).build()).build();
            double v = loss.compute(x, y).toType(DataType.FLOAT64, false).getDouble();
            assertTrue(Double.isFinite(v) && v > 0, "loss " + v);
            assertEquals(distinct(d.positivePairs()).size() + distinct(d.negativePairs()).size(),
                    loss.lastSelection().orElseThrow().count());
        }
    }

    @Test
    void sameSeedSameDrawsOtherSeedOthers() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            UniformHistogramMiner.Draws a = UniformHistogramMiner.builder().optSeed(11).build().sample(x, y);
            UniformHistogramMiner.Draws b = UniformHistogramMiner.builder().optSeed(11).build().sample(x, y);
            UniformHistogramMiner.Draws c = UniformHistogramMiner.builder().optSeed(12).build().sample(x, y);
            assertArrayEquals(a.positivePairs(), b.positivePairs());
            assertArrayEquals(a.negativePairs(), b.negativePairs());
            assertFalse(Arrays.deepEquals(a.positivePairs(), c.positivePairs())
                    && Arrays.deepEquals(a.negativePairs(), c.negativePairs()), "seeds 11 and 12 should differ");
        }
    }

    @Test
    void aClockSeedsEachIteration() {
        RandomMinerBatch batch = RandomMinerBatch.load();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = batch.embeddings(m, DataType.FLOAT64);
            NDArray y = batch.labels(m);
            TrainingClock clock = new TrainingClock();
            UniformHistogramMiner miner = UniformHistogramMiner.builder().optSeed(2).optClock(clock).build();
            UniformHistogramMiner.Draws a = miner.sample(x, y);
            assertArrayEquals(a.negativePairs(), miner.sample(x, y).negativePairs(), "twice in iteration 0");
            clock.advance();
            assertFalse(Arrays.deepEquals(a.negativePairs(), miner.sample(x, y).negativePairs()), "iteration 1");
        }
        assertThrows(IllegalArgumentException.class, () -> UniformHistogramMiner.builder().optClock(null));
    }

    @Test
    void noPositivesGiveNoPositiveDraws() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[][] {{1, 0}, {0, 1}, {1, 1}});
            UniformHistogramMiner.Draws d = UniformHistogramMiner.builder().build().sample(x, m.create(new long[] {0, 1, 2}));
            assertEquals(0, d.positivePairs().length);
            // two distinct distances, 2 - sqrt 2 and sqrt 2 (squared): the lowest and the highest bin
            assertEquals(2 * 10, d.negativePairs().length, "two non-empty bins");
        }
    }

    @Test
    void linspaceIsTorchs() {
        // torch.linspace(0.1, 0.7, 7, dtype=torch.float64): from the start below index 3, from the end above
        double step = (0.7 - 0.1) / 6;
        double[] e = UniformHistogramMiner.linspace(0.1, 0.7, 7, false);
        assertEquals(0.1 + step * 2, e[2], 0);
        assertEquals(0.7 - step * 3, e[3], 0);
        assertEquals(0.7, e[6], 0);
        assertEquals(0.1, e[0], 0);
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UniformHistogramMiner.builder().optNumBins(0));
        assertTrue(e.getMessage().contains("numBins") && e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UniformHistogramMiner.builder().optPosPerBin(-1));
        assertTrue(e.getMessage().contains("posPerBin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UniformHistogramMiner.builder().optNegPerBin(0));
        assertTrue(e.getMessage().contains("negPerBin"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UniformHistogramMiner.builder().optDistance(null));
        assertThrows(IllegalArgumentException.class, () -> UniformHistogramMiner.builder().optGenerator(null));
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(new double[][] {{1, 0}, {0, 1}, {1, 1}});
            e = assertThrows(IllegalArgumentException.class,
                    () -> UniformHistogramMiner.builder().build().mine(x, m.create(new long[] {0})));
            assertTrue(e.getMessage().contains("labels"), e.getMessage());
        }
    }

    private static List<List<String>> bins(JsonArray json) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            List<String> bin = new ArrayList<>();
            for (var pair : json.get(i).getAsJsonArray()) {
                JsonArray p = pair.getAsJsonArray();
                bin.add(p.get(0).getAsLong() + "," + p.get(1).getAsLong());
            }
            out.add(bin);
        }
        return out;
    }

    private static long[][] counts(List<List<String>> bins) {
        long[][] c = new long[bins.size()][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new long[bins.get(i).size()];
        }
        return c;
    }

    /** Block k of the draws must come from bin k; each draw counted at its member's place. */
    private static void tally(String what, long[][] draws, List<List<String>> bins, long[][] counts) {
        assertEquals(bins.size() * PER_BIN, draws.length, what + ": 10 draws per non-empty bin");
        for (int t = 0; t < draws.length; t++) {
            int bin = t / PER_BIN;
            String key = draws[t][0] + "," + draws[t][1];
            int at = bins.get(bin).indexOf(key);
            assertTrue(at >= 0, what + ": draw " + t + " " + key + " is not in PML's bin " + bin + " " + bins.get(bin));
            counts[bin][at]++;
        }
    }

    private static ChiSquare uniform(long[][] counts) {
        ChiSquare c = new ChiSquare();
        for (long[] bin : counts) {
            double[] p = new double[bin.length];
            Arrays.fill(p, 1.0 / bin.length);
            c.add(bin, p);
        }
        return c;
    }

    private static TreeSet<String> distinct(long[][] pairs) {
        TreeSet<String> s = new TreeSet<>();
        for (long[] p : pairs) {
            s.add(p[0] + "," + p[1]);
        }
        return s;
    }
}
