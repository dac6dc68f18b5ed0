package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * {@link HDCMiner} against sorting the pairs in plain Java: the ceil(f P) farthest positive and
 * the ceil(f N) closest negative pairs (for a similarity the least and the most similar).
 */
class HDCMinerTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Distance d : new Distance[] {LpDistance.euclidean(), CosineSimilarity.create()}) {
            for (double f : new double[] {0.1, 0.5, 0.77, 1.0}) {
                for (long seed : new long[] {1, 2}) {
                    out.add(Arguments.of(d, f, seed));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} f={1} seed={2}")
    @MethodSource("cases")
    void keepsTheHardestFraction(Distance distance, double f, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 14, 4, 3);
        double[][] mat = batch.matrix(distance);
        double sign = distance.isInverted() ? -1 : 1;
        List<int[]> pos = new ArrayList<>();
        List<int[]> neg = new ArrayList<>();
        for (int i = 0; i < batch.b; i++) {
            for (int j = 0; j < batch.b; j++) {
                if (batch.positive(i, j)) {
                    pos.add(new int[] {i, j});
                }
                if (batch.negative(i, j)) {
                    neg.add(new int[] {i, j});
                }
            }
        }
        Comparator<int[]> farFirst = Comparator.comparingDouble(p -> -sign * mat[p[0]][p[1]]);
        pos.sort(farFirst);
        neg.sort(farFirst.reversed());
        Pairs got = mine(HDCMiner.builder().optFilterPercentage(f).optDistance(distance).build(), batch);
        String what = distance + " f=" + f + " seed " + seed;
        assertCut(what + ": positive pairs", pos, (int) Math.ceil(f * pos.size()), got.positive(), farFirst);
        assertCut(what + ": negative pairs", neg, (int) Math.ceil(f * neg.size()), got.negative(),
                farFirst.reversed());
    }

    /**
     * {@code got} holds k pairs: every pair ranked before the k-th (strictly harder) and pairs
     * tied with it (d(i, j) and d(j, i) tie; torch's topk picks among ties).
     */
    private static void assertCut(String what, List<int[]> ranked, int k, long[][] got, Comparator<int[]> order) {
        List<String> mined = strings(got);
        assertEquals(k, mined.size(), what + ": count, got " + mined);
        int[] kth = ranked.get(k - 1);
        for (int[] p : ranked) {
            String key = Arrays.toString(new long[] {p[0], p[1]});
            int c = order.compare(p, kth);
            if (c < 0) {
                assertTrue(mined.contains(key), what + ": missing " + key + " in " + mined);
            } else if (c > 0) {
                assertTrue(!mined.contains(key), what + ": extra " + key + " in " + mined);
            }
        }
    }

    @Test
    void singleClassOrSingletonBatchesKeepWhatExists() {
        ReferenceBatch one = ReferenceBatch.random(3, 5, 3, 2).withLabels(4, 4, 4, 4, 4);
        Pairs p = mine(HDCMiner.builder().build(), one);
        assertEquals(10, p.positive().length); // ceil(0.5 * 20)
        assertEquals(0, p.negative().length);
        Pairs s = mine(HDCMiner.builder().build(), one.withLabels(0, 1, 2, 3, 4));
        assertEquals(0, s.positive().length);
        assertEquals(10, s.negative().length); // ceil(0.5 * 20)
    }

    @Test
    void filterPercentageMustBeAFraction() {
        for (double bad : new double[] {0, -0.1, 50, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HDCMiner.builder().optFilterPercentage(bad));
            assertTrue(e.getMessage().startsWith("filterPercentage must be in (0, 1]")
                    && e.getMessage().endsWith("got " + bad), e.getMessage());
        }
    }

    /** Pair lists of a miner's output. */
    private record Pairs(long[][] positive, long[][] negative) {}

    private static Pairs mine(HDCMiner miner, ReferenceBatch batch) {
        try (NDManager m = TestDevice.manager()) {
            PairIndices p = miner.mine(batch.embeddings(m), batch.labels(m));
            return new Pairs(p.positivePairs(), p.negativePairs());
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
}
