package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.metric4j.distance.Normalization;

/**
 * {@link BatchHardMiner} against a brute-force loop over the distance matrix computed in plain
 * Java: one triplet per anchor that has a positive and a negative, in anchor order, with the
 * farthest positive and the closest negative (for a similarity: the least and the most similar).
 */
class BatchHardMinerTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Distance[] distances = {LpDistance.euclidean(), LpDistance.of(Normalization.NONE, 2),
                CosineSimilarity.create()};
        for (Distance d : distances) {
            for (long seed : new long[] {1, 2, 3}) {
                out.add(Arguments.of(d, seed));
            }
        }
        return out.stream();
    }

    /** The expected triplets {a, p, n}, anchors ascending. */
    static List<long[]> bruteForce(ReferenceBatch batch, Distance distance) {
        double[][] mat = batch.matrix(distance);
        double sign = distance.isInverted() ? -1 : 1; // work on "farness"
        List<long[]> out = new ArrayList<>();
        for (int a = 0; a < batch.b; a++) {
            int p = -1;
            int n = -1;
            for (int j = 0; j < batch.b; j++) {
                double far = sign * mat[a][j];
                if (batch.positive(a, j) && (p < 0 || far > sign * mat[a][p])) {
                    p = j;
                }
                if (batch.negative(a, j) && (n < 0 || far < sign * mat[a][n])) {
                    n = j;
                }
            }
            if (p >= 0 && n >= 0) {
                out.add(new long[] {a, p, n});
            }
        }
        return out;
    }

    private static long[][] mine(BatchHardMiner miner, ReferenceBatch batch) {
        try (NDManager m = TestDevice.manager()) {
            return miner.mine(batch.embeddings(m), batch.labels(m)).toArray();
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void hardestPositiveAndNegativePerAnchor(Distance distance, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 15, 5, 4);
        List<long[]> expected = bruteForce(batch, distance);
        long[][] mined = mine(BatchHardMiner.builder().optDistance(distance).build(), batch);
        String what = distance + " [seed " + seed + "]: expected " + ReferenceBatch.format(expected)
                + ", got " + ReferenceBatch.format(List.of(mined));
        // the singleton anchor has no positive: 14 of the 15 anchors yield a triplet
        assertEquals(14, expected.size(), what);
        assertEquals(expected.size(), mined.length, what);
        for (int i = 0; i < mined.length; i++) {
            assertArrayEquals(expected.get(i), mined[i], what);
        }
    }

    @Test
    void defaultDistanceIsL2OnNormalizedEmbeddings() {
        ReferenceBatch batch = ReferenceBatch.random(4, 15, 5, 4);
        long[][] mined = mine(BatchHardMiner.builder().build(), batch);
        List<long[]> expected = bruteForce(batch, LpDistance.euclidean());
        assertEquals(expected.size(), mined.length);
        for (int i = 0; i < mined.length; i++) {
            assertArrayEquals(expected.get(i), mined[i], "triplet " + i);
        }
    }

    @Test
    void noTripletWithoutPositivesOrWithoutNegatives() {
        ReferenceBatch batch = ReferenceBatch.random(5, 6, 3, 2);
        assertEquals(0, mine(BatchHardMiner.builder().build(), batch.withLabels(0, 1, 2, 3, 4, 5)).length,
                "distinct labels");
        assertEquals(0, mine(BatchHardMiner.builder().build(), batch.withLabels(3, 3, 3, 3, 3, 3)).length,
                "single class");
        long[][] one = mine(BatchHardMiner.builder().build(), batch.withLabels(0, 0, 1, 2, 3, 4));
        assertEquals(2, one.length, "only anchors 0 and 1 have a positive");
        assertTrue(one[0][0] == 0 && one[0][1] == 1 && one[1][0] == 1 && one[1][1] == 0,
                "anchor / positive of the only pair");
    }
}
