package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
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

/**
 * {@link PairMarginMiner} and {@link MultiSimilarityMiner} against brute-force loops over the
 * matrix computed in plain Java: exact pair lists, row-major order.
 */
class PairMinersTest {

    private static final long[] SEEDS = {1, 2, 3};

    /** Pair lists of a miner's output. */
    private record Pairs(long[][] positive, long[][] negative) {}

    private static Pairs mine(PairMiner miner, ReferenceBatch batch) {
        try (NDManager m = TestDevice.manager()) {
            PairIndices p = miner.mine(batch.embeddings(m), batch.labels(m));
            return new Pairs(p.positivePairs(), p.negativePairs());
        }
    }

    private static void assertPairs(String what, List<long[]> expected, long[][] actual) {
        String msg = what + ": expected " + ReferenceBatch.format(expected) + ", got "
                + ReferenceBatch.format(List.of(actual));
        assertFalse(expected.isEmpty(), "vacuous case, pick another seed: " + msg);
        assertEquals(expected.size(), actual.length, msg);
        for (int i = 0; i < actual.length; i++) {
            assertArrayEquals(expected.get(i), actual[i], msg);
        }
    }

    // ---------------------------------------------------------------- PairMarginMiner

    static Stream<Arguments> pairMarginCases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed : SEEDS) {
            out.add(Arguments.of(LpDistance.euclidean(), 1.2, 1.3, seed));
            out.add(Arguments.of(LpDistance.euclidean(), 0.2, 0.8, seed));
            out.add(Arguments.of(CosineSimilarity.create(), 0.4, 0.1, seed));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} pos={1} neg={2} seed={3}")
    @MethodSource("pairMarginCases")
    void pairMarginMinerKeepsPairsThatViolateTheMargins(
            Distance distance, double posMargin, double negMargin, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 13, 4, 4);
        double[][] mat = batch.matrix(distance);
        List<long[]> pos = new ArrayList<>();
        List<long[]> neg = new ArrayList<>();
        for (int i = 0; i < batch.b; i++) {
            for (int j = 0; j < batch.b; j++) {
                boolean farPos = distance.isInverted() ? mat[i][j] < posMargin : mat[i][j] > posMargin;
                boolean closeNeg = distance.isInverted() ? mat[i][j] > negMargin : mat[i][j] < negMargin;
                if (batch.positive(i, j) && farPos) {
                    pos.add(new long[] {i, j});
                }
                if (batch.negative(i, j) && closeNeg) {
                    neg.add(new long[] {i, j});
                }
            }
        }
        Pairs mined = mine(PairMarginMiner.builder().optPosMargin(posMargin).optNegMargin(negMargin)
                .optDistance(distance).build(), batch);
        String what = distance + " pos=" + posMargin + " neg=" + negMargin + " [seed " + seed + "]";
        assertPairs(what + " positive pairs", pos, mined.positive());
        assertPairs(what + " negative pairs", neg, mined.negative());
    }

    // ---------------------------------------------------------------- MultiSimilarityMiner

    static Stream<Arguments> multiSimilarityCases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed : SEEDS) {
            out.add(Arguments.of(CosineSimilarity.create(), 0.1, seed));
            out.add(Arguments.of(CosineSimilarity.create(), 0.3, seed));
            out.add(Arguments.of(LpDistance.euclidean(), 0.1, seed));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} eps={1} seed={2}")
    @MethodSource("multiSimilarityCases")
    void multiSimilarityMinerMatchesItsDefinition(Distance distance, double eps, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 13, 4, 4);
        double[][] mat = batch.matrix(distance);
        // with a similarity: hardest negative = max s_an, easiest positive = min s_ap;
        // with a distance: hardest negative = min d_an, easiest positive = max d_ap
        boolean sim = distance.isInverted();
        List<long[]> pos = new ArrayList<>();
        List<long[]> neg = new ArrayList<>();
        for (int a = 0; a < batch.b; a++) {
            double hardestNeg = sim ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            double easiestPos = sim ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < batch.b; j++) {
                if (batch.negative(a, j)) {
                    hardestNeg = sim ? Math.max(hardestNeg, mat[a][j]) : Math.min(hardestNeg, mat[a][j]);
                }
                if (batch.positive(a, j)) {
                    easiestPos = sim ? Math.min(easiestPos, mat[a][j]) : Math.max(easiestPos, mat[a][j]);
                }
            }
            for (int j = 0; j < batch.b; j++) {
                double v = mat[a][j];
                if (batch.positive(a, j) && (sim ? v - eps < hardestNeg : v + eps > hardestNeg)) {
                    pos.add(new long[] {a, j});
                }
                if (batch.negative(a, j) && (sim ? v + eps > easiestPos : v - eps < easiestPos)) {
                    neg.add(new long[] {a, j});
                }
            }
        }
        Pairs mined = mine(MultiSimilarityMiner.builder().optEpsilon(eps).optDistance(distance).build(), batch);
        String what = distance + " eps=" + eps + " [seed " + seed + "]";
        assertPairs(what + " positive pairs", pos, mined.positive());
        assertPairs(what + " negative pairs", neg, mined.negative());
    }

    @Test
    void multiSimilarityMinerKeepsNothingWithoutPositivesOrNegatives() {
        ReferenceBatch batch = ReferenceBatch.random(4, 5, 3, 2);
        Pairs distinct = mine(MultiSimilarityMiner.builder().build(), batch.withLabels(0, 1, 2, 3, 4));
        assertEquals(0, distinct.positive().length, "distinct labels: positive pairs");
        assertEquals(0, distinct.negative().length, "distinct labels: no positive to compare with");
        Pairs single = mine(MultiSimilarityMiner.builder().build(), batch.withLabels(2, 2, 2, 2, 2));
        assertEquals(0, single.positive().length, "single class: no negative to compare with");
        assertEquals(0, single.negative().length, "single class: negative pairs");
    }
}
