package org.metric4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.TestDevice;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.dataset.LabeledImagesDataset;

/** PxK and shuffle batches: structure, coverage, reproducibility per (seed, epoch), DJL use. */
class SamplersTest {

    /** Unbalanced labels: class c has 1 + (c * 7) % 13 items, labels are sparse values. */
    private static long[] unbalanced(int classes, long seed) {
        List<Long> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < 1 + (c * 7) % 13; j++) {
                labels.add(1000L + 3L * c);
            }
        }
        java.util.Collections.shuffle(labels, new Random(seed));
        return labels.stream().mapToLong(Long::longValue).toArray();
    }

    @ParameterizedTest
    @CsvSource({"6, 4", "7, 4", "7, 3", "29, 2"})
    void everyPxKBatchHasPDistinctClassesWithKItemsEach(int p, int k) {
        for (long seed = 0; seed < 5; seed++) {
            long[] labels = unbalanced(30, seed);
            PxKSampler sampler = PxKSampler.builder().setLabels(labels).optP(p).optK(k)
                    .optSeed(seed).build();
            String where = "P=" + p + ", K=" + k + ", seed " + seed;
            int[][] batches = sampler.epochBatches(3);
            assertEquals((labels.length + p * k - 1) / (p * k), batches.length, where);
            assertEquals(sampler.batchesPerEpoch(), batches.length);
            for (int[] batch : batches) {
                assertEquals(p * k, batch.length, where);
                Set<Long> classes = new HashSet<>();
                for (int c = 0; c < p; c++) {
                    long label = labels[batch[c * k]];
                    assertTrue(classes.add(label), where + ": class " + label + " twice in "
                            + Arrays.toString(batch));
                    Set<Integer> items = new HashSet<>();
                    for (int j = 0; j < k; j++) {
                        assertEquals(label, labels[batch[c * k + j]], where);
                        items.add(batch[c * k + j]);
                    }
                    long size = Arrays.stream(labels).filter(l -> l == label).count();
                    assertEquals(Math.min(k, size), items.size(), where + ": class " + label
                            + " of " + size + " items: distinct items, repeats only when it has"
                            + " fewer than K");
                }
            }
        }
    }

    @Test
    void pxkIsReproduciblePerSeedAndEpoch() {
        long[] labels = unbalanced(25, 1);
        PxKSampler a = PxKSampler.builder().setLabels(labels).optP(5).optK(3).optSeed(42).build();
        PxKSampler b = PxKSampler.builder().setLabels(labels).optP(5).optK(3).optSeed(42).build();
        assertArrayEquals(a.epochBatches(7), b.epochBatches(7));
        assertArrayEquals(a.epochBatches(0), a.epochBatches(0));
        assertFalse(Arrays.deepEquals(a.epochBatches(7), a.epochBatches(8)), "epochs differ");
        PxKSampler c = PxKSampler.builder().setLabels(labels).optP(5).optK(3).optSeed(43).build();
        assertFalse(Arrays.deepEquals(a.epochBatches(7), c.epochBatches(7)), "seeds differ");
    }

    @Test
    void balancedClassesAreCoveredExactlyOncePerEpoch() {
        long[] labels = new long[10 * 8];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        // 10 classes, P = 4: class passes end inside batches
        PxKSampler sampler = PxKSampler.builder().setLabels(labels).optP(4).optK(4).optSeed(9)
                .build();
        for (long epoch = 0; epoch < 4; epoch++) {
            int[] seen = new int[labels.length];
            for (int[] batch : sampler.epochBatches(epoch)) {
                for (int i : batch) {
                    seen[i]++;
                }
            }
            int[] ones = new int[labels.length];
            Arrays.fill(ones, 1);
            assertArrayEquals(ones, seen, "epoch " + epoch);
        }
    }

    @Test
    void pxkRejectsImpossibleSettings() {
        long[] labels = {0, 0, 1, 1, 2};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PxKSampler.builder().setLabels(labels).optP(4).build());
        assertTrue(e.getMessage().contains("must be <= the number of classes in the labels, 3, got 4"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PxKSampler.builder().setLabels(labels).optP(2).optK(0).build());
        assertTrue(e.getMessage().contains("k (items per class) must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void shuffleCoversEveryIndexOncePerEpoch() {
        ShuffleSampler keep = ShuffleSampler.builder().setSize(103).optBatchSize(10)
                .optKeepLast().optSeed(3).build();
        assertEquals(11, keep.batchesPerEpoch());
        for (long epoch = 0; epoch < 3; epoch++) {
            int[][] batches = keep.epochBatches(epoch);
            assertEquals(3, batches[10].length, "the last partial batch is kept");
            int[] all = Arrays.stream(batches).flatMapToInt(Arrays::stream).sorted().toArray();
            int[] expected = new int[103];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, all, "epoch " + epoch);
        }
        assertFalse(Arrays.deepEquals(keep.epochBatches(0), keep.epochBatches(1)));
        assertArrayEquals(keep.epochBatches(2), ShuffleSampler.builder().setSize(103)
                .optBatchSize(10).optKeepLast().optSeed(3).build().epochBatches(2));

        ShuffleSampler drop = ShuffleSampler.builder().setSize(103).optBatchSize(10).optSeed(3).build();
        int[][] batches = drop.epochBatches(0);
        assertEquals(10, batches.length, "the last partial batch is dropped by default");
        Set<Integer> distinct = new HashSet<>();
        for (int[] batch : batches) {
            assertEquals(10, batch.length);
            for (int i : batch) {
                assertTrue(distinct.add(i), "index " + i + " twice");
            }
        }
    }

    @Test
    void djlSamplingAdvancesTheEpochAndResumes() {
        ToyImages images = new ToyImages(6, 5, 8);
        PxKSampler sampler = PxKSampler.builder().setLabels(images).optP(3).optK(2).optSeed(1)
                .build();
        LabeledImagesDataset dataset = LabeledImagesDataset.builder().setImages(images)
                .setSampling(sampler).build();
        List<List<Long>> epoch0 = drain(sampler.sample(dataset));
        List<List<Long>> epoch1 = drain(sampler.sample(dataset));
        assertEquals(2, sampler.nextEpoch());
        assertEquals(toLists(sampler.epochBatches(0)), epoch0);
        assertEquals(toLists(sampler.epochBatches(1)), epoch1);
        PxKSampler resumed = PxKSampler.builder().setLabels(images).optP(3).optK(2).optSeed(1)
                .optStartEpoch(1).build();
        assertEquals(epoch1, drain(resumed.sample(dataset)));

        LabeledImagesDataset other = LabeledImagesDataset.builder().setImages(new ToyImages(7, 5, 8))
                .setSampling(sampler)
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(other));
        assertTrue(e.getMessage().contains("dataset must have the 30 items this sampler was built"
                + " for, got 35"), e.getMessage());
    }

    @Test
    void theDatasetYieldsBulkBatchesEqualToPerItemRecords() throws Exception {
        ToyImages images = new ToyImages(6, 5, 8);
        PxKSampler sampler = PxKSampler.builder().setLabels(images).optP(3).optK(2).optSeed(1)
                .build();
        LabeledImagesDataset dataset = LabeledImagesDataset.builder().setImages(images)
                .setSampling(sampler).build();
        assertEquals(30, dataset.size());
        int[][] expected = sampler.epochBatches(0);
        Map<Integer, Integer> count = new HashMap<>();
        try (NDManager manager = TestDevice.manager()) {
            int b = 0;
            for (Batch batch : dataset.getData(manager)) {
                int[] idx = expected[b++];
                assertEquals(new ai.djl.ndarray.types.Shape(6, 1, 8, 8),
                        batch.getData().head().getShape());
                float[] values = batch.getData().head().toFloatArray();
                long[] labels = batch.getLabels().head().toLongArray();
                for (int i = 0; i < idx.length; i++) {
                    float[] record = dataset.get(manager, idx[i]).getData().head().toFloatArray();
                    assertArrayEquals(record, Arrays.copyOfRange(values, i * 64, (i + 1) * 64), 0f);
                    assertEquals(images.label(idx[i]), labels[i]);
                    count.merge(idx[i], 1, Integer::sum);
                }
                batch.close();
            }
            assertEquals(expected.length, b);
        }
        assertEquals(30, count.values().stream().mapToInt(Integer::intValue).sum());
    }

    private static List<List<Long>> drain(Iterator<List<Long>> it) {
        List<List<Long>> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static List<List<Long>> toLists(int[][] batches) {
        List<List<Long>> out = new ArrayList<>();
        for (int[] b : batches) {
            out.add(Arrays.stream(b).mapToObj(i -> (long) i).toList());
        }
        return out;
    }

    /** Identities x images of 1 x side x side pixels, each a distinct deterministic pattern. */
    private record ToyImages(int identities, int perIdentity, int side) implements LabeledImages {

        @Override
        public int size() {
            return identities * perIdentity;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int height() {
            return side;
        }

        @Override
        public int width() {
            return side;
        }

        @Override
        public long label(int index) {
            return index / perIdentity;
        }

        @Override
        public int numClasses() {
            return identities;
        }

        @Override
        public String name(int index) {
            return label(index) + "/" + index;
        }

        @Override
        public void image(int index, float[] dst, int offset) {
            for (int i = 0; i < imageSize(); i++) {
                dst[offset + i] = (float) Math.sin(index * 31.0 + i);
            }
        }
    }
}
