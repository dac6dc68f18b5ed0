package org.metric4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hierarchical batches: the super-class / class structure PML guarantees, seeding, bad input. */
class HierarchicalSamplerTest {

    /**
     * Super-class s (label 100 + s) has 3 + s classes; class c of super-class s (label
     * 10 s + c) has 1 + (s + c) % 5 items, so some classes have fewer items than m.
     */
    private static long[][] labels(int superClasses) {
        List<long[]> rows = new ArrayList<>();
        for (int s = 0; s < superClasses; s++) {
            for (int c = 0; c < 3 + s; c++) {
                for (int j = 0; j < 1 + (s + c) % 5; j++) {
                    rows.add(new long[] {10L * s + c, 100L + s});
                }
            }
        }
        // interleave so that the items of a class are not contiguous
        List<long[]> mixed = new ArrayList<>();
        for (int start = 0; start < 7; start++) {
            for (int i = start; i < rows.size(); i += 7) {
                mixed.add(rows.get(i));
            }
        }
        return mixed.toArray(new long[0][]);
    }

    @ParameterizedTest
    @CsvSource({"12, 2, 2, 3", "12, 3, 2, 4", "18, 3, 3, 5", "8, 4, 1, 4"})
    void everyBatchHasSSuperClassesAndMItemsPerClass(int batch, int m, int s, int superClasses) {
        long[][] labels = labels(superClasses);
        for (long seed = 0; seed < 4; seed++) {
            HierarchicalSampler sampler = HierarchicalSampler.builder().setLabels(labels)
                    .setBatchSize(batch).setSamplesPerClass(m).optSuperClassesPerBatch(s)
                    .optSeed(seed).build();
            int[][] batches = sampler.epochBatches(2);
            long tuples = binomial(superClasses, s);
            assertEquals(tuples * HierarchicalSampler.DEFAULT_BATCHES_PER_SUPER_TUPLE, batches.length);
            assertEquals(sampler.batchesPerEpoch(), batches.length);
            Map<Set<Long>, Integer> perTuple = new HashMap<>();
            for (int[] b : batches) {
                String where = "B=" + batch + ", m=" + m + ", S=" + s + ", seed " + seed + ": "
                        + Arrays.toString(b);
                assertEquals(batch, b.length, where);
                Map<Long, List<Integer>> byClass = new HashMap<>();
                Map<Long, Set<Long>> classesOfSuper = new HashMap<>();
                for (int i : b) {
                    byClass.computeIfAbsent(labels[i][0], c -> new ArrayList<>()).add(i);
                    classesOfSuper.computeIfAbsent(labels[i][1], x -> new HashSet<>()).add(labels[i][0]);
                }
                assertEquals(s, classesOfSuper.size(), where);
                for (Set<Long> classes : classesOfSuper.values()) {
                    assertEquals(batch / s / m, classes.size(), where);
                }
                for (Map.Entry<Long, List<Integer>> e : byClass.entrySet()) {
                    assertEquals(m, e.getValue().size(), where);
                    long n = Arrays.stream(labels).filter(r -> r[0] == e.getKey()).count();
                    if (n >= m) {
                        assertEquals(m, new HashSet<>(e.getValue()).size(),
                                where + ": a class with enough items gives distinct items");
                    }
                }
                perTuple.merge(classesOfSuper.keySet(), 1, Integer::sum);
            }
            assertEquals(tuples, perTuple.size(), "every combination of super-classes is used");
            for (int count : perTuple.values()) {
                assertEquals(HierarchicalSampler.DEFAULT_BATCHES_PER_SUPER_TUPLE, count);
            }
        }
    }

    @Test
    void allSamplesPerClassTakesWholeClassesThatFit() {
        long[][] labels = labels(3);
        HierarchicalSampler sampler = HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                .optAllSamplesPerClass().optBatchesPerSuperTuple(2).optSeed(5).build();
        int[][] batches = sampler.epochBatches(0);
        assertEquals(3 * 2, batches.length);
        for (int[] b : batches) {
            assertTrue(b.length <= 12);
            Map<Long, Long> counts = new HashMap<>();
            Map<Long, Long> perSuper = new HashMap<>();
            for (int i : b) {
                counts.merge(labels[i][0], 1L, Long::sum);
                perSuper.merge(labels[i][1], 1L, Long::sum);
            }
            assertEquals(2, perSuper.size());
            perSuper.values().forEach(v -> assertTrue(v <= 6, "a sub-batch holds at most B / S"));
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                long n = Arrays.stream(labels).filter(r -> r[0] == e.getKey()).count();
                assertEquals(n, e.getValue(), "class " + e.getKey() + " contributes all its items");
                assertEquals(n, Arrays.stream(b).filter(i -> labels[i][0] == e.getKey()).distinct().count());
            }
        }
    }

    @Test
    void reproduciblePerSeedAndEpochAndColumnsAreConfigurable() {
        long[][] labels = labels(4);
        HierarchicalSampler a = HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                .setSamplesPerClass(2).optSeed(9).build();
        HierarchicalSampler b = HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                .setSamplesPerClass(2).optSeed(9).build();
        assertArrayEquals(a.epochBatches(3), b.epochBatches(3));
        assertFalse(Arrays.deepEquals(a.epochBatches(3), a.epochBatches(4)));
        HierarchicalSampler other = HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                .setSamplesPerClass(2).optSeed(10).build();
        assertFalse(Arrays.deepEquals(a.epochBatches(3), other.epochBatches(3)));

        long[][] swapped = new long[labels.length][];
        long[] classes = new long[labels.length];
        long[] supers = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            swapped[i] = new long[] {-1, labels[i][1], labels[i][0]};
            classes[i] = labels[i][0];
            supers[i] = labels[i][1];
        }
        HierarchicalSampler cols = HierarchicalSampler.builder().setLabels(swapped).optInnerLabel(2)
                .optOuterLabel(1).setBatchSize(12).setSamplesPerClass(2).optSeed(9).build();
        HierarchicalSampler two = HierarchicalSampler.builder().setLabels(classes, supers)
                .setBatchSize(12).setSamplesPerClass(2).optSeed(9).build();
        assertArrayEquals(a.epochBatches(1), cols.epochBatches(1));
        assertArrayEquals(a.epochBatches(1), two.epochBatches(1));
    }

    @Test
    void badInputNamesTheArgument() {
        long[][] labels = labels(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(labels).setBatchSize(13)
                        .setSamplesPerClass(2).build());
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("13"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                        .setSamplesPerClass(4).build());
        assertTrue(e.getMessage().contains("samplesPerClass 4"), e.getMessage());
        // super-class 100 has 3 classes: B / (S m) = 16 / (2 * 2) = 4 classes are needed
        e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(labels).setBatchSize(16)
                        .setSamplesPerClass(2).build());
        assertTrue(e.getMessage().contains("at least 4 classes") && e.getMessage().contains("100 has 3"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(labels).setBatchSize(12)
                        .setSamplesPerClass(1).optSuperClassesPerBatch(4).build());
        assertTrue(e.getMessage().contains("superClassesPerBatch") && e.getMessage().contains(", 3,"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(labels).setBatchSize(12).build());
        // all samples per class with B / S = 1: super-class 10 has only a class of 2 items, which
        // never fits (super-class 20 has a class of 1 item)
        long[][] big = {{1, 10}, {1, 10}, {2, 20}, {3, 20}, {3, 20}};
        e = assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(big).setBatchSize(2).optAllSamplesPerClass().build());
        assertTrue(e.getMessage().contains("super-class 10 has none"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setSamplesPerClass(0));
        assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(new long[][] {{1}}).setBatchSize(2)
                        .setSamplesPerClass(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> HierarchicalSampler.builder().setLabels(new long[] {1, 2}, new long[] {1}));
    }

    private static long binomial(int n, int k) {
        long r = 1;
        for (int i = 0; i < k; i++) {
            r = r * (n - i) / (i + 1);
        }
        return r;
    }
}
