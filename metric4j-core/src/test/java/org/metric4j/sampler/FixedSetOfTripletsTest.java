package org.metric4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.miner.EmbeddingsAlreadyPackagedAsTriplets;

/** {@link FixedSetOfTriplets}: a valid, reproducible set, each triplet once per epoch, in whole-triplet batches. */
class FixedSetOfTripletsTest {

    /** Classes 0 (4 items), 1 (3 items), 2 (2 items) and a singleton 3. */
    private static final long[] LABELS = {0, 1, 0, 2, 1, 3, 0, 2, 1, 0};

    @Test
    void everyTripletIsValidAndSingletonsAreNeverAnchors() {
        FixedSetOfTriplets s = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(3000).optSeed(4).build();
        int[][] t = s.triplets();
        assertEquals(3000, t.length);
        int[] anchorClassCounts = new int[4];
        boolean singletonAsNegative = false;
        for (int[] r : t) {
            assertEquals(LABELS[r[0]], LABELS[r[1]], Arrays.toString(r) + ": positive shares the anchor's label");
            assertNotEquals(r[0], r[1], Arrays.toString(r) + ": positive is another item");
            assertNotEquals(LABELS[r[0]], LABELS[r[2]], Arrays.toString(r) + ": negative has another label");
            anchorClassCounts[(int) LABELS[r[0]]]++;
            singletonAsNegative |= LABELS[r[2]] == 3;
        }
        assertEquals(0, anchorClassCounts[3], "a class of one item has no positive");
        assertTrue(singletonAsNegative, "the singleton class still serves as a negative");
        for (int c = 0; c < 3; c++) {
            // uniform over the 3 anchor classes: 1000 each, sd ~ 26
            assertTrue(Math.abs(anchorClassCounts[c] - 1000) < 130, "class " + c + ": " + anchorClassCounts[c]);
        }
    }

    @Test
    void theSetDependsOnlyOnTheSeed() {
        int[][] a = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(50).optSeed(9).build().triplets();
        int[][] b = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(50).optSeed(9)
                .optTripletsPerBatch(7).build().triplets();
        int[][] c = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(50).optSeed(10).build().triplets();
        assertArrayEquals(a, b, "seed 9 twice (the batch size does not change the set)");
        assertFalse(Arrays.deepEquals(a, c), "seeds 9 and 10 should draw different sets");
    }

    @Test
    void eachEpochVisitsEveryTripletOnceInWholeTripletBatches() {
        FixedSetOfTriplets s = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(10)
                .optTripletsPerBatch(4).optSeed(2).build();
        assertEquals(12, s.getBatchSize());
        assertEquals(3, s.batchesPerEpoch());
        assertEquals(LABELS.length, s.datasetSize());
        int[][] e0 = s.epochBatches(0);
        assertEquals(List.of(12, 12, 6), Arrays.stream(e0).map(b -> b.length).toList());
        assertEquals(sorted(s.triplets()), sorted(regroup(e0)), "epoch 0 holds every triplet once");
        assertEquals(sorted(s.triplets()), sorted(regroup(s.epochBatches(1))), "epoch 1 too");
        assertFalse(Arrays.deepEquals(e0, s.epochBatches(1)), "epochs 0 and 1 are shuffled differently");
        assertArrayEquals(e0, s.epochBatches(0), "epoch 0 is reproducible");
    }

    /** A batch of the sampler, mined by EmbeddingsAlreadyPackagedAsTriplets, gives back its triplets. */
    @Test
    void batchesUnpackIntoTheirTriplets() {
        FixedSetOfTriplets s = FixedSetOfTriplets.builder().setLabels(LABELS).setNumTriplets(6)
                .optTripletsPerBatch(6).build();
        int[] batch = s.epochBatches(0)[0];
        long[] y = Arrays.stream(batch).mapToLong(i -> LABELS[i]).toArray();
        try (NDManager m = TestDevice.manager()) {
            long[][] mined = EmbeddingsAlreadyPackagedAsTriplets.create()
                    .mine(m.randomNormal(new Shape(batch.length, 2)), m.create(y)).toArray();
            assertEquals(6, mined.length);
            for (long[] r : mined) {
                assertEquals(y[(int) r[0]], y[(int) r[1]]);
                assertNotEquals(y[(int) r[0]], y[(int) r[2]]);
            }
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FixedSetOfTriplets.builder().setNumTriplets(3).build());
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FixedSetOfTriplets.builder().setLabels(LABELS).build());
        assertTrue(e.getMessage().contains("numTriplets") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FixedSetOfTriplets.builder().setLabels(new long[] {1, 1, 1}).setNumTriplets(3).build());
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FixedSetOfTriplets.builder().setLabels(new long[] {1, 2, 3}).setNumTriplets(3).build());
        assertTrue(e.getMessage().contains("at least 2 items"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FixedSetOfTriplets.builder().setLabels(LABELS)
                .setNumTriplets(3).optTripletsPerBatch(0).build());
        assertTrue(e.getMessage().contains("tripletsPerBatch"), e.getMessage());
    }

    private static List<int[]> regroup(int[][] batches) {
        List<int[]> out = new ArrayList<>();
        for (int[] b : batches) {
            assertEquals(0, b.length % 3);
            for (int t = 0; t < b.length; t += 3) {
                out.add(new int[] {b[t], b[t + 1], b[t + 2]});
            }
        }
        return out;
    }

    private static List<String> sorted(int[][] t) {
        return sorted(Arrays.asList(t));
    }

    private static List<String> sorted(List<int[]> t) {
        return t.stream().map(Arrays::toString).sorted(Comparator.naturalOrder()).toList();
    }
}
