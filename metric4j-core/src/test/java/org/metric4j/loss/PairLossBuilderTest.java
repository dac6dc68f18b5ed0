package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.distance.LpDistance;
import org.metric4j.miner.MultiSimilarityMiner;
import org.metric4j.reducer.Reducer;
import org.metric4j.reducer.SumReducer;
import org.junit.jupiter.api.Test;

/**
 * The options of {@link PairLossBuilder} reach every loss that extends it: the reducer (a sum is
 * the mean times the number of terms), the miner (a miner that keeps every pair changes nothing),
 * and the checks on null and on the distance.
 */
class PairLossBuilderTest {

    private static final int B = 8;
    private static final int D = 5;
    /** Labels 0 0 1 1 2 2 3 3: every anchor has one positive and six negatives. */
    private static final long[] LABELS = {0, 0, 1, 1, 2, 2, 3, 3};

    private static double loss(Function<Reducer, MetricLoss> make, Reducer reducer, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(gaussian(new Random(seed), B * D), new Shape(B, D));
            return make.apply(reducer).compute(x, m.create(LABELS)).toType(ai.djl.ndarray.types.DataType.FLOAT64,
                    false).getDouble();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aSumReducerGivesTheMeanTimesTheTermCount(long seed) {
        // NTXent: one term per positive pair (B here); GeneralizedLiftedStructure, MultiSimilarity: one per anchor
        assertSumIsMeanTimes(r -> r == null ? NTXentLoss.builder().build() : NTXentLoss.builder().optReducer(r).build(),
                B, seed, "NTXent");
        assertSumIsMeanTimes(r -> r == null ? GeneralizedLiftedStructureLoss.builder().build()
                : GeneralizedLiftedStructureLoss.builder().optReducer(r).build(), B, seed, "GeneralizedLiftedStructure");
        assertSumIsMeanTimes(r -> r == null ? MultiSimilarityLoss.builder().build()
                : MultiSimilarityLoss.builder().optReducer(r).build(), B, seed, "MultiSimilarity");
        // NCA: one term per anchor with a positive (all B here)
        assertSumIsMeanTimes(r -> r == null ? NCALoss.builder().build() : NCALoss.builder().optReducer(r).build(),
                B, seed, "NCA");
    }

    private static void assertSumIsMeanTimes(Function<Reducer, MetricLoss> make, int terms, long seed, String what) {
        double mean = loss(make, null, seed);
        double sum = loss(make, new SumReducer(), seed);
        assertTrue(mean > 0, what + " [seed " + seed + "]: loss " + mean + " must be positive for the check to bite");
        assertEquals(mean * terms, sum, 1e-4 * Math.abs(sum), what + " [seed " + seed + "]: sum vs mean x " + terms);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void aMinerThatKeepsEveryPairChangesNothing(long seed) {
        // epsilon large enough that the multi-similarity miner keeps every positive and negative pair
        MultiSimilarityMiner all = MultiSimilarityMiner.builder().optEpsilon(100).build();
        double plain = loss(r -> NTXentLoss.builder().build(), null, seed);
        double mined = loss(r -> NTXentLoss.builder().optMiner(all).build(), null, seed);
        assertEquals(plain, mined, 1e-6 * plain, "NTXent [seed " + seed + "]");
        // epsilon -100 keeps no pair: the loss is 0
        MultiSimilarityMiner none = MultiSimilarityMiner.builder().optEpsilon(-100).build();
        assertEquals(0.0, loss(r -> NTXentLoss.builder().optMiner(none).build(), null, seed), 0.0,
                "NTXent with no mined pair [seed " + seed + "]");
    }

    @Test
    void nullOptionsAndWrongDistancesAreRejectedByName() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ContrastiveLoss.builder().optMiner(null));
        assertEquals("miner", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> TripletMarginLoss.builder().optReducer(null));
        assertEquals("reducer", e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> CircleLoss.builder().optDistance(LpDistance.euclidean()));
        assertTrue(w.getMessage().contains("similarity"), w.getMessage());
    }

    @Test
    void anglesNameTheirUnitWhenOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CombinedMarginLoss.builder().optM2(28.6));
        assertEquals("m2 must be in [0, pi/2) radians, got 28.6 (degrees?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AngularLoss.builder().optAlphaDegrees(90));
        assertEquals("alphaDegrees must be in (0, 90) degrees, got 90.0", e.getMessage());
    }

    @Test
    void buildersKeepTheirDefaults() {
        assertEquals("NTXentLoss(temperature=0.07, distance=" + org.metric4j.distance.CosineSimilarity.create()
                + ", miner=null, reducer=" + new org.metric4j.reducer.MeanReducer() + ")",
                NTXentLoss.builder().build().toString());
        assertEquals("CombinedMarginLoss(scale=64.0, m1=1.0, m2=0.3, m3=0.2)", CombinedMarginLoss.builder().build().toString());
        assertEquals("UnifiedLoss(gamma=32.0, m=0.25)", UnifiedLoss.builder().build().toString());
        assertEquals("AngularLoss(alphaDegrees=40.0)", AngularLoss.builder().build().toString());
    }
}
