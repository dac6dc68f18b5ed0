package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import org.metric4j.miner.TripletMarginMiner.Type;

/**
 * {@link TripletMarginMiner}, every {@link Type}, against a brute-force loop over all (a, p, n)
 * with the definitions of its Javadoc: t = d_an - d_ap (for a similarity s_ap - s_an); ALL t <= m,
 * HARD t <= 0, SEMIHARD 0 < t <= m, EASY t > m. The triplets must come in (a, p, n) order.
 */
class TripletMarginMinerTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Distance[] distances = {LpDistance.euclidean(), LpDistance.squaredEuclidean(),
                CosineSimilarity.create()};
        for (Type type : Type.values()) {
            for (Distance d : distances) {
                for (long seed : new long[] {1, 2}) {
                    out.add(Arguments.of(type, d, 0.2, seed));
                }
            }
        }
        return out.stream();
    }

    static boolean keep(Type type, double t, double m) {
        switch (type) {
            case ALL:
                return t <= m;
            case HARD:
                return t <= 0;
            case SEMIHARD:
                return 0 < t && t <= m;
            case EASY:
                return t > m;
            default:
                throw new AssertionError(type);
        }
    }

    static List<long[]> bruteForce(ReferenceBatch batch, Distance distance, Type type, double m) {
        double[][] mat = batch.matrix(distance);
        List<long[]> out = new ArrayList<>();
        for (int a = 0; a < batch.b; a++) {
            for (int p = 0; p < batch.b; p++) {
                if (!batch.positive(a, p)) {
                    continue;
                }
                for (int n = 0; n < batch.b; n++) {
                    if (!batch.negative(a, n)) {
                        continue;
                    }
                    double t = distance.isInverted() ? mat[a][p] - mat[a][n] : mat[a][n] - mat[a][p];
                    if (keep(type, t, m)) {
                        out.add(new long[] {a, p, n});
                    }
                }
            }
        }
        return out;
    }

    private static long[][] mine(TripletMarginMiner miner, ReferenceBatch batch) {
        try (NDManager m = TestDevice.manager()) {
            return miner.mine(batch.embeddings(m), batch.labels(m)).toArray();
        }
    }

    @ParameterizedTest(name = "{0} {1} m={2} seed={3}")
    @MethodSource("cases")
    void matchesTheDefinition(Type type, Distance distance, double margin, long seed) {
        ReferenceBatch batch = ReferenceBatch.random(seed, 13, 4, 4);
        List<long[]> expected = bruteForce(batch, distance, type, margin);
        TripletMarginMiner miner = TripletMarginMiner.builder()
                .optType(type).optMargin(margin).optDistance(distance).build();
        long[][] mined = mine(miner, batch);
        String what = type + " " + distance + " [seed " + seed + "]: expected "
                + ReferenceBatch.format(expected) + ", got " + ReferenceBatch.format(List.of(mined));
        assertFalse(expected.isEmpty(), "vacuous case, pick another seed: " + what);
        assertEquals(expected.size(), mined.length, what);
        for (int i = 0; i < mined.length; i++) {
            assertArrayEquals(expected.get(i), mined[i], what);
        }
    }

    @Test
    void typesPartitionAllValidTriplets() {
        ReferenceBatch batch = ReferenceBatch.random(9, 13, 4, 4);
        int all = mine(TripletMarginMiner.builder().optType(Type.ALL).build(), batch).length;
        int easy = mine(TripletMarginMiner.builder().optType(Type.EASY).build(), batch).length;
        int hard = mine(TripletMarginMiner.builder().optType(Type.HARD).build(), batch).length;
        int semi = mine(TripletMarginMiner.builder().optType(Type.SEMIHARD).build(), batch).length;
        int valid = bruteForce(batch, LpDistance.euclidean(), Type.ALL, Double.POSITIVE_INFINITY).size();
        assertEquals(valid, all + easy, "ALL and EASY split the valid triplets");
        assertEquals(all, hard + semi, "HARD and SEMIHARD split ALL");
    }

    @Test
    void noTripletWithoutPositives() {
        ReferenceBatch batch = ReferenceBatch.random(3, 5, 3, 2).withLabels(0, 1, 2, 3, 4);
        assertEquals(0, mine(TripletMarginMiner.builder().build(), batch).length);
        assertEquals(0, mine(TripletMarginMiner.builder().build(), batch.withLabels(1, 1, 1, 1, 1)).length);
    }

    @Test
    void builderRejectsNullTypeAndNonFiniteMargin() {
        assertThrows(IllegalArgumentException.class, () -> TripletMarginMiner.builder().optType(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TripletMarginMiner.builder().optMargin(Double.NaN));
        assertEquals(true, e.getMessage().contains("margin") && e.getMessage().contains("NaN"),
                e.getMessage());
    }
}
