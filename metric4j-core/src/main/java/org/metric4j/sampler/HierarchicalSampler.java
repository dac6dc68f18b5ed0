package org.metric4j.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;

/**
 * Batches drawn from a few super-classes at a time, for labels with two levels (class and
 * super-class, e.g. product and category): PML's {@code HierarchicalSampler}, after the batch
 * sampling of Cakir et al. 2019, "Deep Metric Learning to Rank" (FastAP, CVPR; PML's source
 * credits their code, kunhe/Deep-Metric-Learning-Baselines).
 *
 * <p>For every combination of S super-classes (S = {@code superClassesPerBatch}, combinations of
 * the sorted super-labels) the epoch has {@code batchesPerSuperTuple} batches. A batch of size B
 * holds S sub-batches of B / S items, one per super-class of its combination; a sub-batch visits
 * that super-class's classes in shuffled order and takes m ({@code samplesPerClass}) items of each
 * (distinct when the class has at least m, else drawn with replacement) while they fit. Each
 * batch is then shuffled, and so is the order of the batches. With a fixed m every batch has
 * exactly B items: S super-classes, B / (S m) classes of each, m items of each class. With
 * {@link Builder#optAllSamplesPerClass()} a class contributes all its items when they fit, and
 * batches may be shorter than B.
 *
 * <p>An epoch has \( \binom{n_{super}}{S} \cdot \) {@code batchesPerSuperTuple} batches, and
 * depends only on (seed, epoch). Defaults are PML's: 4 batches per super-tuple, 2 super-classes
 * per batch, inner label column 0, outer label column 1.
 */
public final class HierarchicalSampler implements EpochSampler {

    /** Default batches per combination of super-classes (PML). */
    public static final int DEFAULT_BATCHES_PER_SUPER_TUPLE = 4;

    /** Default super-classes per batch (PML). */
    public static final int DEFAULT_SUPER_CLASSES_PER_BATCH = 2;

    /** Default column of the class label (PML's {@code inner_label}). */
    public static final int DEFAULT_INNER_LABEL = 0;

    /** Default column of the super-class label (PML's {@code outer_label}). */
    public static final int DEFAULT_OUTER_LABEL = 1;

    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final int batchSize;
    private final int samplesPerClass; // 0: all items of a class
    private final int batchesPerSuperTuple;
    private final int superClassesPerBatch;
    private final long seed;
    private final int size;
    /** members[s][c]: the items of class c of super-class s (sorted super-labels, then labels). */
    private final int[][][] members;
    private final int[][] superTuples;
    private long nextEpoch;

    private HierarchicalSampler(Builder b, int[][][] members, int[][] superTuples) {
        this.batchSize = b.batchSize;
        this.samplesPerClass = b.samplesPerClass;
        this.batchesPerSuperTuple = b.batchesPerSuperTuple;
        this.superClassesPerBatch = b.superClassesPerBatch;
        this.seed = b.seed;
        this.size = b.labels.length;
        this.members = members;
        this.superTuples = superTuples;
        this.nextEpoch = b.startEpoch;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The batch size B. */
    @Override
    public int getBatchSize() {
        return batchSize;
    }

    /** Items per class m, or 0 when every class contributes all its items. */
    public int samplesPerClass() {
        return samplesPerClass;
    }

    /** Super-classes per batch S. */
    public int superClassesPerBatch() {
        return superClassesPerBatch;
    }

    /** The number of distinct super-classes. */
    public int numSuperClasses() {
        return members.length;
    }

    @Override
    public int batchesPerEpoch() {
        return superTuples.length * batchesPerSuperTuple;
    }

    @Override
    public int datasetSize() {
        return size;
    }

    @Override
    public synchronized long nextEpoch() {
        return nextEpoch;
    }

    @Override
    public synchronized void setNextEpoch(long epoch) {
        this.nextEpoch = epoch;
    }

    @Override
    public int[][] epochBatches(long epoch) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, 0x48696572L));
        int subBatchLen = batchSize / superClassesPerBatch;
        int[][] batches = new int[batchesPerEpoch()][];
        int next = 0;
        for (int[] tuple : superTuples) {
            for (int rep = 0; rep < batchesPerSuperTuple; rep++) {
                int[] batch = new int[batchSize];
                int filled = 0;
                for (int s : tuple) {
                    int[][] classes = members[s];
                    int[] order = identity(classes.length);
                    PxKSampler.shuffle(order, 0, order.length, rng);
                    int sub = 0;
                    for (int c : order) {
                        if (sub >= subBatchLen) {
                            break;
                        }
                        int[] items = classes[c];
                        int m = samplesPerClass == 0 ? items.length : samplesPerClass;
                        if (sub + m > subBatchLen) {
                            continue;
                        }
                        choose(items, m, batch, filled + sub, rng);
                        sub += m;
                    }
                    filled += sub;
                }
                int[] out = filled == batchSize ? batch : Arrays.copyOf(batch, filled);
                PxKSampler.shuffle(out, 0, out.length, rng);
                batches[next++] = out;
            }
        }
        for (int i = batches.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] t = batches[i];
            batches[i] = batches[j];
            batches[j] = t;
        }
        return batches;
    }

    /** m items of {@code items} into out[at..at+m): distinct if there are enough (PML's safe_random_choice). */
    private static void choose(int[] items, int m, int[] out, int at, SplittableRandom rng) {
        int n = items.length;
        if (n < m) {
            for (int j = 0; j < m; j++) {
                out[at + j] = items[rng.nextInt(n)];
            }
            return;
        }
        int[] a = items.clone();
        for (int j = 0; j < m; j++) {
            int r = j + rng.nextInt(n - j);
            int t = a[j];
            a[j] = a[r];
            a[r] = t;
            out[at + j] = a[j];
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    @Override
    public String toString() {
        return "HierarchicalSampler(batchSize=" + batchSize + ", samplesPerClass="
                + (samplesPerClass == 0 ? "all" : samplesPerClass) + ", batchesPerSuperTuple="
                + batchesPerSuperTuple + ", superClassesPerBatch=" + superClassesPerBatch
                + ", seed=" + seed + ", items=" + size + ", superClasses=" + members.length + ")";
    }

    /** Builder of {@link HierarchicalSampler}. */
    public static final class Builder {
        private long[][] labels;
        private int batchSize;
        private int samplesPerClass = -1;
        private int batchesPerSuperTuple = DEFAULT_BATCHES_PER_SUPER_TUPLE;
        private int superClassesPerBatch = DEFAULT_SUPER_CLASSES_PER_BATCH;
        private int innerLabel = DEFAULT_INNER_LABEL;
        private int outerLabel = DEFAULT_OUTER_LABEL;
        private long seed = DEFAULT_SEED;
        private long startEpoch;

        private Builder() {}

        /**
         * The labels (required): one row per item, one column per level of the hierarchy; the
         * class is column {@code innerLabel}, the super-class column {@code outerLabel}.
         */
        public Builder setLabels(long[][] labels) {
            this.labels = new long[labels.length][];
            for (int i = 0; i < labels.length; i++) {
                this.labels[i] = labels[i].clone();
            }
            return this;
        }

        /** The labels as two arrays: the class and the super-class of every item. */
        public Builder setLabels(long[] classes, long[] superClasses) {
            if (classes.length != superClasses.length) {
                throw new IllegalArgumentException("classes and superClasses must have the same"
                        + " length, got " + classes.length + " and " + superClasses.length);
            }
            this.labels = new long[classes.length][];
            for (int i = 0; i < classes.length; i++) {
                this.labels[i] = new long[] {classes[i], superClasses[i]};
            }
            this.innerLabel = 0;
            this.outerLabel = 1;
            return this;
        }

        /** The batch size B (required; a multiple of S and of S m). */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Items per class m (required unless {@link #optAllSamplesPerClass()}; B / S a multiple of m). */
        public Builder setSamplesPerClass(int samplesPerClass) {
            Inputs.atLeast("samplesPerClass", samplesPerClass, 1);
            this.samplesPerClass = samplesPerClass;
            return this;
        }

        /** Every class contributes all its items (PML's {@code samples_per_class="all"}). */
        public Builder optAllSamplesPerClass() {
            this.samplesPerClass = 0;
            return this;
        }

        /** Batches per combination of super-classes (default {@value #DEFAULT_BATCHES_PER_SUPER_TUPLE}). */
        public Builder optBatchesPerSuperTuple(int batchesPerSuperTuple) {
            this.batchesPerSuperTuple = batchesPerSuperTuple;
            return this;
        }

        /** Super-classes per batch S (default {@value #DEFAULT_SUPER_CLASSES_PER_BATCH}). */
        public Builder optSuperClassesPerBatch(int superClassesPerBatch) {
            this.superClassesPerBatch = superClassesPerBatch;
            return this;
        }

        /** The label column of the class (default {@value #DEFAULT_INNER_LABEL}). */
        public Builder optInnerLabel(int innerLabel) {
            this.innerLabel = innerLabel;
            return this;
        }

        /** The label column of the super-class (default {@value #DEFAULT_OUTER_LABEL}). */
        public Builder optOuterLabel(int outerLabel) {
            this.outerLabel = outerLabel;
            return this;
        }

        /** The seed (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The epoch DJL's first {@code sample} call serves (default 0; set it to resume). */
        public Builder optStartEpoch(long startEpoch) {
            this.startEpoch = startEpoch;
            return this;
        }

        /**
         * The sampler.
         *
         * @throws IllegalArgumentException when the labels are missing or ragged, B is not a
         *     multiple of S (or B / S of m), or there are fewer than S super-classes, or a
         *     super-class has fewer than B / (S m) classes (its sub-batches could not be filled) or,
         *     with all samples per class, no class of at most B / S items
         */
        public HierarchicalSampler build() {
            if (labels == null || labels.length == 0) {
                throw new IllegalArgumentException("labels must be set and non-empty, got "
                        + (labels == null ? "null" : "0 rows"));
            }
            if (innerLabel < 0 || outerLabel < 0 || innerLabel == outerLabel) {
                throw new IllegalArgumentException("innerLabel and outerLabel must be distinct"
                        + " columns >= 0, got " + innerLabel + " and " + outerLabel);
            }
            int width = Math.max(innerLabel, outerLabel) + 1;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i].length < width) {
                    throw new IllegalArgumentException("labels must have at least " + width
                            + " columns (innerLabel " + innerLabel + ", outerLabel " + outerLabel
                            + "), row " + i + " has " + labels[i].length);
                }
            }
            Inputs.atLeast("batchesPerSuperTuple", batchesPerSuperTuple, 1);
            Inputs.atLeast("superClassesPerBatch", superClassesPerBatch, 1);
            if (batchSize < 1 || batchSize % superClassesPerBatch != 0) {
                throw new IllegalArgumentException("batchSize must be a positive multiple of"
                        + " superClassesPerBatch (" + superClassesPerBatch + "), got " + batchSize);
            }
            if (samplesPerClass < 0) {
                throw new IllegalArgumentException("samplesPerClass must be set (or"
                        + " optAllSamplesPerClass()), got none");
            }
            int subBatchLen = batchSize / superClassesPerBatch;
            if (samplesPerClass > 0 && subBatchLen % samplesPerClass != 0) {
                throw new IllegalArgumentException("batchSize / superClassesPerBatch (" + subBatchLen
                        + ") must be a multiple of samplesPerClass, got samplesPerClass "
                        + samplesPerClass);
            }
            Map<Long, Map<Long, List<Integer>>> tree = new TreeMap<>();
            for (int i = 0; i < labels.length; i++) {
                tree.computeIfAbsent(labels[i][outerLabel], s -> new TreeMap<>())
                        .computeIfAbsent(labels[i][innerLabel], c -> new ArrayList<>()).add(i);
            }
            if (tree.size() < superClassesPerBatch) {
                throw new IllegalArgumentException("superClassesPerBatch must be <= the number of"
                        + " super-classes in the labels, " + tree.size() + ", got "
                        + superClassesPerBatch);
            }
            int[][][] members = new int[tree.size()][][];
            int s = 0;
            for (Map.Entry<Long, Map<Long, List<Integer>>> e : tree.entrySet()) {
                Map<Long, List<Integer>> classes = e.getValue();
                if (samplesPerClass > 0 && (long) classes.size() * samplesPerClass < subBatchLen) {
                    throw new IllegalArgumentException("every super-class needs at least "
                            + subBatchLen / samplesPerClass + " classes (batchSize / "
                            + "(superClassesPerBatch * samplesPerClass)) to fill its sub-batch,"
                            + " super-class " + e.getKey() + " has " + classes.size());
                }
                if (samplesPerClass == 0
                        && classes.values().stream().noneMatch(items -> items.size() <= subBatchLen)) {
                    throw new IllegalArgumentException("with all samples per class, every super-class"
                            + " needs a class of at most batchSize / superClassesPerBatch ("
                            + subBatchLen + ") items, super-class " + e.getKey() + " has none");
                }
                members[s] = new int[classes.size()][];
                int c = 0;
                for (List<Integer> items : classes.values()) {
                    members[s][c++] = items.stream().mapToInt(Integer::intValue).toArray();
                }
                s++;
            }
            int[][] tuples = combinations(members.length, superClassesPerBatch);
            if ((long) tuples.length * batchesPerSuperTuple > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the epoch would have more than 2^31 batches ("
                        + tuples.length + " super-tuples x " + batchesPerSuperTuple + ")");
            }
            return new HierarchicalSampler(this, members, tuples);
        }

        /** The k-subsets of {0..n-1} in lexicographic order (Python's itertools.combinations). */
        private static int[][] combinations(int n, int k) {
            double count = 1;
            for (int i = 0; i < k; i++) {
                count = count * (n - i) / (i + 1);
            }
            if (count > Integer.MAX_VALUE / 4.0) {
                throw new IllegalArgumentException("superClassesPerBatch " + k + " of " + n
                        + " super-classes gives too many combinations (" + count + ")");
            }
            List<int[]> out = new ArrayList<>();
            int[] c = new int[k];
            for (int i = 0; i < k; i++) {
                c[i] = i;
            }
            while (true) {
                out.add(c.clone());
                int i = k - 1;
                while (i >= 0 && c[i] == n - k + i) {
                    i--;
                }
                if (i < 0) {
                    return out.toArray(new int[0][]);
                }
                c[i]++;
                for (int j = i + 1; j < k; j++) {
                    c[j] = c[j - 1] + 1;
                }
            }
        }
    }
}
