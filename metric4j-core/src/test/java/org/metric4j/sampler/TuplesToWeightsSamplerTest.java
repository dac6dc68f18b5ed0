package org.metric4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.PairRelation;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMiner;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMiner;

/** Weights from mined tuples (PML's convert_to_weights) and draws in proportion to them. */
class TuplesToWeightsSamplerTest {

    private static final long[] LABELS = {0, 0, 0, 1, 1, 2};

    /** Always the triplets (0, 1, 3), (0, 2, 3), (1, 0, 4): counts 3, 2, 1, 2, 1, 0. */
    private static final TripletMiner FIXED = triplets((x, y) -> new TripletIndices(
            x.getManager().create(new long[] {0, 0, 1}), x.getManager().create(new long[] {1, 2, 0}),
            x.getManager().create(new long[] {3, 3, 4})));

    /** A triplet miner of the batch against itself only (the sampler mines nothing else). */
    private static TripletMiner triplets(BiFunction<NDArray, NDArray, TripletIndices> mine) {
        return new TripletMiner() {
            @Override
            public TripletIndices mine(NDArray x, NDArray y) {
                return mine.apply(x, y);
            }

            @Override
            public TripletIndices mine(NDArray x, NDArray y, NDArray refX, NDArray refY) {
                throw new UnsupportedOperationException("batch only");
            }

            @Override
            public TripletIndices mine(NDArray x, NDArray refX, PairRelation relation) {
                throw new UnsupportedOperationException("batch only");
            }
        };
    }

    /** A pair miner of the batch against itself only. */
    private static PairMiner pairs(BiFunction<NDArray, NDArray, PairIndices> mine) {
        return new PairMiner() {
            @Override
            public PairIndices mine(NDArray x, NDArray y) {
                return mine.apply(x, y);
            }

            @Override
            public PairIndices mine(NDArray x, NDArray y, NDArray refX, NDArray refY) {
                throw new UnsupportedOperationException("batch only");
            }

            @Override
            public PairIndices mine(NDArray x, NDArray refX, PairRelation relation) {
                throw new UnsupportedOperationException("batch only");
            }
        };
    }

    private static NDArray embeddings(NDManager m, int n) {
        float[] v = new float[n * 2];
        for (int i = 0; i < n; i++) {
            v[2 * i] = (float) Math.cos(i);
            v[2 * i + 1] = (float) Math.sin(i);
        }
        return m.create(v, new ai.djl.ndarray.types.Shape(n, 2));
    }

    @Test
    void tripletWeightsAreCountsOverTheLargestCount() {
        try (NDManager m = TestDevice.manager();
                TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(embeddings(m, 6))
                        .setLabels(LABELS).setMiner(FIXED).build()) {
            assertArrayEquals(new double[] {1, 2.0 / 3, 1.0 / 3, 2.0 / 3, 1.0 / 3, 0}, s.weights(0), 1e-12);
            assertArrayEquals(s.weights(0), s.weights(7), 0);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, s.subset(3));
        }
    }

    @Test
    void pairWeightsCountBothEndsOfPositiveAndNegativePairs() {
        // positives (0, 1), (1, 0); negatives (0, 2), (3, 2): counts 3, 2, 2, 1
        PairMiner pairs = pairs((x, y) -> {
            boolean[] pos = new boolean[16];
            boolean[] neg = new boolean[16];
            pos[1] = true;
            pos[4] = true;
            neg[2] = true;
            neg[14] = true;
            ai.djl.ndarray.types.Shape sq = new ai.djl.ndarray.types.Shape(4, 4);
            return new PairIndices(x.getManager().create(pos, sq), x.getManager().create(neg, sq));
        });
        try (NDManager m = TestDevice.manager();
                TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(embeddings(m, 4))
                        .setLabels(new long[] {0, 0, 1, 1}).setMiner(pairs).build()) {
            assertArrayEquals(new double[] {1, 2.0 / 3, 2.0 / 3, 1.0 / 3}, s.weights(0), 1e-12);
        }
    }

    @Test
    void nothingMinedWeighsEveryItemOfTheSubsetOne() {
        TripletMiner none = triplets((x, y) -> new TripletIndices(x.getManager().create(new long[0]),
                x.getManager().create(new long[0]), x.getManager().create(new long[0])));
        try (NDManager m = TestDevice.manager();
                TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(embeddings(m, 6))
                        .setLabels(LABELS).setMiner(none).optSubsetSize(4).optSeed(3).build()) {
            int[] subset = s.subset(2);
            assertEquals(4, subset.length);
            double[] w = s.weights(2);
            double[] expected = new double[6];
            for (int i : subset) {
                expected[i] = 1;
            }
            assertArrayEquals(expected, w, 0);
        }
    }

    @Test
    void theMinerSeesTheSubsetsRowsAndLabelsAndItsIndicesMapBack() {
        List<long[]> seenLabels = new ArrayList<>();
        List<float[]> seenRows = new ArrayList<>();
        // mines (0, 1, 2) of the subset: the first three subset items weigh 1
        TripletMiner first = triplets((x, y) -> {
            seenLabels.add(y.toLongArray());
            seenRows.add(x.toFloatArray());
            return new TripletIndices(x.getManager().create(new long[] {0}),
                    x.getManager().create(new long[] {1}), x.getManager().create(new long[] {2}));
        });
        try (NDManager m = TestDevice.manager()) {
            NDArray x = embeddings(m, 10);
            long[] labels = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
            try (TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(x)
                    .setLabels(labels).setMiner(first).optSubsetSize(5).optSeed(11).build()) {
                int[] subset = s.subset(4);
                assertArrayEquals(subset, s.subset(4));
                assertFalse(Arrays.equals(subset, s.subset(5)));
                double[] w = s.weights(4);
                double[] expected = new double[10];
                for (int j = 0; j < 3; j++) {
                    expected[subset[j]] = 1;
                }
                assertArrayEquals(expected, w, 0);
                long[] expectedLabels = Arrays.stream(subset).mapToLong(i -> labels[i]).toArray();
                assertArrayEquals(expectedLabels, seenLabels.get(0));
                float[] all = x.toFloatArray();
                float[] rows = seenRows.get(0);
                for (int j = 0; j < subset.length; j++) {
                    assertEquals(all[2 * subset[j]], rows[2 * j]);
                    assertEquals(all[2 * subset[j] + 1], rows[2 * j + 1]);
                }
                int[] drawn = s.epochIndices(4);
                assertEquals(5, drawn.length);
                for (int i : drawn) {
                    assertTrue(w[i] > 0, "item " + i + " of weight 0 drawn");
                }
            }
        }
    }

    /**
     * Real miners against PML 2.8.1 run once (convert_to_weights of TripletMarginMiner(margin=0.2,
     * type_of_triplets="semihard") and MultiSimilarityMiner(epsilon=0.1) on unit vectors at these
     * angles, float64; the mined sets do not change when the angles move by 0.05 degrees, so no
     * comparison sits on a rounding tie).
     */
    @Test
    void weightsOfRealMinersMatchPml() {
        double[] angles = {0, 17, 41, 103, 124, 209, 236, 301};
        long[] labels = {0, 0, 0, 1, 1, 2, 2, 0};
        double[] v = new double[angles.length * 2];
        for (int i = 0; i < angles.length; i++) {
            v[2 * i] = Math.cos(Math.toRadians(angles[i]));
            v[2 * i + 1] = Math.sin(Math.toRadians(angles[i]));
        }
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(v, new ai.djl.ndarray.types.Shape(angles.length, 2));
            try (TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(x).setLabels(labels)
                    .setMiner(org.metric4j.miner.TripletMarginMiner.builder()
                            .optType(org.metric4j.miner.TripletMarginMiner.Type.SEMIHARD).build())
                    .build()) {
                assertArrayEquals(new double[] {0.5, 0.5, 0, 0.5, 0, 0, 0.5, 1}, s.weights(0), 1e-12);
            }
            try (TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(x).setLabels(labels)
                    .setMiner(org.metric4j.miner.MultiSimilarityMiner.builder().build()).build()) {
                double sixth = 1.0 / 6;
                assertArrayEquals(new double[] {sixth, sixth, 4 * sixth, sixth, sixth, sixth, sixth, 1}, s.weights(0), 1e-12);
            }
        }
    }

    @Test
    void drawsFollowTheWeights() {
        try (NDManager m = TestDevice.manager();
                TuplesToWeightsSampler s = TuplesToWeightsSampler.builder().setEmbeddings(embeddings(m, 6))
                        .setLabels(LABELS).setMiner(FIXED).optBatchSize(4).optSeed(42).build()) {
            int[][] batches = s.epochBatches(0);
            assertEquals(2, batches.length);
            assertEquals(4, batches[0].length);
            assertEquals(2, batches[1].length);
            assertArrayEquals(s.epochBatches(9), s.epochBatches(9));
            long[] counts = new long[6];
            int epochs = 3000;
            for (int e = 0; e < epochs; e++) {
                for (int i : s.epochIndices(e)) {
                    counts[i]++;
                }
            }
            assertEquals(0, counts[5], "weight 0 is never drawn");
            // p = w / sum(w) = (1, 2/3, 1/3, 2/3, 1/3) / 3
            double[] p = {1.0 / 3, 2.0 / 9, 1.0 / 9, 2.0 / 9, 1.0 / 9};
            double n = epochs * 6.0;
            double chi2 = 0;
            for (int i = 0; i < 5; i++) {
                double expected = n * p[i];
                chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
            }
            // 4 degrees of freedom: P(chi2 > 18.47) = 0.001
            assertTrue(chi2 < 18.47, "chi-square " + chi2 + " of counts " + Arrays.toString(counts));
        }
    }

    @Test
    void badInputNamesTheArgument() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = embeddings(m, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TuplesToWeightsSampler.builder().setEmbeddings(x).setLabels(LABELS)
                            .setMiner(FIXED).optSubsetSize(7).build());
            assertTrue(e.getMessage().contains("subsetSize") && e.getMessage().contains("7"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> TuplesToWeightsSampler.builder().setEmbeddings(x).setLabels(new long[] {1, 2})
                            .setMiner(FIXED).build());
            assertTrue(e.getMessage().contains("labels") && e.getMessage().contains("2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> TuplesToWeightsSampler.builder().setEmbeddings(x).setLabels(LABELS).build());
            assertTrue(e.getMessage().contains("miner"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TuplesToWeightsSampler.builder().optSubsetSize(0));
        }
    }
}
