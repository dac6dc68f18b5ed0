package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.miner.BatchEasyHardMiner.Strategy;

/**
 * {@link BatchEasyHardMiner} against a brute-force loop over the matrix computed in plain Java,
 * for every valid pair of strategies, with and without allowed ranges, for a distance and a
 * similarity; edge cases and bad builder input.
 */
class BatchEasyHardMinerTest {

    /** Mined pairs and (without ALL) triplets, as sorted strings. */
    private record Mined(List<String> pos, List<String> neg, List<String> triplets) {}

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Strategy ps : Strategy.values()) {
            for (Strategy ns : Strategy.values()) {
                if (!valid(ps, ns)) {
                    continue;
                }
                for (long seed : new long[] {1, 2}) {
                    out.add(Arguments.of(ps, ns, LpDistance.euclidean(), null, null, seed));
                    out.add(Arguments.of(ps, ns, CosineSimilarity.create(), null, null, seed));
                    out.add(Arguments.of(ps, ns, LpDistance.euclidean(),
                            new AllowedRange(0.4, 1.2), new AllowedRange(0.9, 1.5), seed));
                    out.add(Arguments.of(ps, ns, CosineSimilarity.create(),
                            new AllowedRange(-0.2, 0.8), new AllowedRange(-0.5, 0.4), seed));
                }
            }
        }
        return out.stream();
    }

    private static boolean valid(Strategy ps, Strategy ns) {
        boolean semi = ps == Strategy.SEMIHARD || ns == Strategy.SEMIHARD;
        boolean all = ps == Strategy.ALL || ns == Strategy.ALL;
        return !(ps == Strategy.SEMIHARD && ns == Strategy.SEMIHARD) && !(semi && all);
    }

    @ParameterizedTest(name = "{0}/{1} {2} ranges={3},{4} seed={5}")
    @MethodSource("cases")
    void matchesBruteForce(Strategy ps, Strategy ns, Distance distance, AllowedRange posRange,
            AllowedRange negRange, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 17, 4, 4);
        BatchEasyHardMiner miner = BatchEasyHardMiner.builder().optPosStrategy(ps).optNegStrategy(ns)
                .optAllowedPosRange(posRange).optAllowedNegRange(negRange).optDistance(distance).build();
        Mined expected = bruteForce(batch, distance, ps, ns, posRange, negRange);
        Mined got = mine(miner, batch);
        String what = miner + " seed " + seed;
        assertTrue(!expected.pos.isEmpty() && !expected.neg.isEmpty(), "vacuous case: " + what);
        assertEquals(expected.pos, got.pos, what + ": positive pairs");
        assertEquals(expected.neg, got.neg, what + ": negative pairs");
        assertEquals(expected.triplets, got.triplets, what + ": triplets");
    }

    /** PML's rule written per anchor on "farness" (the distance, or minus the similarity). */
    private static Mined bruteForce(ReferenceBatch batch, Distance distance, Strategy ps, Strategy ns,
            AllowedRange posRange, AllowedRange negRange) {
        double[][] mat = batch.matrix(distance);
        double sign = distance.isInverted() ? -1 : 1;
        List<String> pos = new ArrayList<>();
        List<String> neg = new ArrayList<>();
        List<String> triplets = ps == Strategy.ALL || ns == Strategy.ALL ? null : new ArrayList<>();
        for (int a = 0; a < batch.b; a++) {
            int p = -1;
            int n = -1;
            if (ps == Strategy.SEMIHARD) {
                n = pick(batch, mat, sign, a, false, ns, negRange, Double.NaN);
                p = n < 0 ? -1 : pick(batch, mat, sign, a, true, ps, posRange, sign * mat[a][n]);
            } else {
                p = ps == Strategy.ALL ? -1 : pick(batch, mat, sign, a, true, ps, posRange, Double.NaN);
                double threshold = ns == Strategy.SEMIHARD ? (p < 0 ? Double.NaN : sign * mat[a][p]) : Double.NaN;
                n = ns == Strategy.ALL || (ns == Strategy.SEMIHARD && p < 0) ? -1
                        : pick(batch, mat, sign, a, false, ns, negRange, threshold);
            }
            boolean both = ps != Strategy.ALL && ns != Strategy.ALL;
            if (both && (p < 0 || n < 0)) {
                continue;
            }
            for (int j = 0; j < batch.b; j++) {
                if (ps == Strategy.ALL ? batch.positive(a, j) : j == p) {
                    pos.add(Arrays.toString(new long[] {a, j}));
                }
                if (ns == Strategy.ALL ? batch.negative(a, j) : j == n) {
                    neg.add(Arrays.toString(new long[] {a, j}));
                }
            }
            if (triplets != null) {
                triplets.add(Arrays.toString(new long[] {a, p, n}));
            }
        }
        pos.sort(null);
        neg.sort(null);
        if (triplets != null) {
            triplets.sort(null);
        }
        return new Mined(pos, neg, triplets);
    }

    /** The chosen column of row a, or -1; {@code bound} is the other side's farness (semi-hard). */
    private static int pick(ReferenceBatch batch, double[][] mat, double sign, int a, boolean positive,
            Strategy s, AllowedRange range, double bound) {
        // positives: easy = least far, hard / semihard = farthest; negatives the other way round
        boolean leastFar = positive ? s == Strategy.EASY : s != Strategy.EASY;
        int best = -1;
        for (int j = 0; j < batch.b; j++) {
            boolean kind = positive ? batch.positive(a, j) : batch.negative(a, j);
            if (!kind || (range != null && (mat[a][j] < range.low() || mat[a][j] > range.high()))) {
                continue;
            }
            double far = sign * mat[a][j];
            if (s == Strategy.SEMIHARD && !(positive ? far < bound : far > bound)) {
                continue;
            }
            if (best < 0 || (leastFar ? far < sign * mat[a][best] : far > sign * mat[a][best])) {
                best = j;
            }
        }
        return best;
    }

    private static Mined mine(BatchEasyHardMiner miner, ReferenceBatch batch) {
        try (NDManager m = TestDevice.manager()) {
            PairIndices p = miner.mine(batch.embeddings(m), batch.labels(m));
            List<String> triplets = null;
            if (!miner.toString().contains("Strategy=ALL")) { // triplets exist without ALL
                triplets = strings(miner.mineTriplets(batch.embeddings(m), batch.labels(m)).toArray());
            }
            return new Mined(strings(p.positivePairs()), strings(p.negativePairs()), triplets);
        }
    }

    private static List<String> strings(long[][] rows) {
        List<String> out = new ArrayList<>();
        for (long[] r : rows) {
            out.add(Arrays.toString(r));
        }
        out.sort(null);
        return out;
    }

    @Test
    void singleClassBatchGivesNoTripletsAndAllPositivesForAll() {
        ReferenceBatch batch = ReferenceBatch.random(5, 6, 3, 2).withLabels(7, 7, 7, 7, 7, 7);
        Mined hard = mine(BatchEasyHardMiner.builder().optPosStrategy(Strategy.HARD)
                .optNegStrategy(Strategy.HARD).build(), batch);
        assertEquals(List.of(), hard.pos);
        assertEquals(List.of(), hard.neg);
        assertEquals(List.of(), hard.triplets);
        Mined all = mine(BatchEasyHardMiner.builder().optPosStrategy(Strategy.ALL)
                .optNegStrategy(Strategy.HARD).build(), batch);
        assertEquals(30, all.pos.size(), all.pos.toString());
        assertEquals(List.of(), all.neg);
    }

    @Test
    void noPositivesOrNothingInRangeGivesAnEmptySelection() {
        ReferenceBatch batch = ReferenceBatch.random(6, 5, 3, 2).withLabels(0, 1, 2, 3, 4);
        Mined defaults = mine(BatchEasyHardMiner.builder().build(), batch);
        assertEquals(List.of(), defaults.pos);
        assertEquals(List.of(), defaults.neg);
        assertEquals(List.of(), defaults.triplets);
        ReferenceBatch twoClasses = batch.withLabels(0, 0, 1, 1, 1);
        // L2 of normalized rows lies in [0, 2]: a range above it leaves no negative
        Mined none = mine(BatchEasyHardMiner.builder().optNegStrategy(Strategy.HARD)
                .optAllowedNegRange(new AllowedRange(2.5, 3.0)).build(), twoClasses);
        assertEquals(List.of(), none.pos);
        assertEquals(List.of(), none.triplets);
        Mined hardEasy = mine(BatchEasyHardMiner.builder().optPosStrategy(Strategy.HARD)
                .optNegStrategy(Strategy.EASY).build(), twoClasses);
        assertEquals(5, hardEasy.triplets.size(), hardEasy.triplets.toString());
    }

    @Test
    void tripletsNeedTwoChosenSides() {
        BatchEasyHardMiner all = BatchEasyHardMiner.builder().optPosStrategy(Strategy.HARD)
                .optNegStrategy(Strategy.ALL).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, all::asTripletMiner);
        assertTrue(e.getMessage().contains("ALL"), e.getMessage());
    }

    @Test
    void badBuilderInputIsRefusedWithTheValue() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Strategy.fromName("medium"));
        assertTrue(unknown.getMessage().contains("'medium'") && unknown.getMessage().contains("semihard"),
                unknown.getMessage());
        assertEquals(Strategy.SEMIHARD, Strategy.fromName("semihard"));
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> BatchEasyHardMiner.builder().optPosStrategy(null));
        assertTrue(nul.getMessage().startsWith("posStrategy"), nul.getMessage());
        IllegalArgumentException semi = assertThrows(IllegalArgumentException.class,
                () -> BatchEasyHardMiner.builder().optPosStrategy(Strategy.SEMIHARD).build());
        assertTrue(semi.getMessage().contains("both be SEMIHARD"), semi.getMessage());
        IllegalArgumentException semiAll = assertThrows(IllegalArgumentException.class,
                () -> BatchEasyHardMiner.builder().optPosStrategy(Strategy.ALL).build());
        assertTrue(semiAll.getMessage().contains("negStrategy=SEMIHARD"), semiAll.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new AllowedRange(1.1, 0.3));
        assertTrue(empty.getMessage().contains("[1.1, 0.3]") && empty.getMessage().contains("empty"),
                empty.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new AllowedRange(Double.NaN, 0.3));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }
}
