package org.metric4j.sampler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;

/**
 * P x K batches for metric losses with in-batch mining (Hermans, Beyer, Leibe 2017, "In Defense
 * of the Triplet Loss for Person Re-Identification", arXiv:1703.07737; PML's
 * {@code MPerClassSampler}): each batch holds P distinct classes and K items of each, batch size
 * P K, laid out class by class (items {@code [p K, (p + 1) K)} share a label).
 *
 * <p>An epoch has \( \lceil N / (P K) \rceil \) batches: as many items as the dataset, although
 * with unbalanced classes some items of large classes are not drawn and items of small classes
 * are drawn more than once. Classes are visited in shuffled passes (every class once per pass,
 * a class already in the batch deferred to the next slot), so all classes appear equally often.
 * Within a class, items are drawn without replacement from a shuffled queue that is reshuffled
 * when it runs out (the K items of one draw are always distinct). A class with fewer than K
 * items contributes all of them plus K - n draws with replacement among them, so it has
 * repeated items in that batch.
 *
 * <p>Epoch e depends only on (seed, e): {@link #epochBatches(long)} is reproducible and a resumed
 * run sees the batches it would have seen.
 */
public final class PxKSampler implements EpochSampler {

    /** Default number of classes per batch P (Hermans et al.). */
    public static final int DEFAULT_P = 18;

    /** Default number of items per class K (Hermans et al.; PML's m = 4 in its examples). */
    public static final int DEFAULT_K = 4;

    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final int p;
    private final int k;
    private final long seed;
    private final int size;
    private final int[][] members;
    private long nextEpoch;

    private PxKSampler(Builder b) {
        this.p = b.p;
        this.k = b.k;
        this.seed = b.seed;
        this.size = b.labels.length;
        Map<Long, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < b.labels.length; i++) {
            byClass.computeIfAbsent(b.labels[i], c -> new ArrayList<>()).add(i);
        }
        this.members = new int[byClass.size()][];
        int c = 0;
        for (List<Integer> e : byClass.values()) {
            members[c++] = e.stream().mapToInt(Integer::intValue).toArray();
        }
        this.nextEpoch = b.startEpoch;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Classes per batch P. */
    public int p() {
        return p;
    }

    /** Items per class K. */
    public int k() {
        return k;
    }

    /** The number of distinct classes in the labels. */
    public int numClasses() {
        return members.length;
    }

    /** P K. */
    @Override
    public int getBatchSize() {
        return p * k;
    }

    @Override
    public int batchesPerEpoch() {
        return (int) ((size + (long) p * k - 1) / ((long) p * k));
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
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, 0x50784bL));
        int numClasses = members.length;
        int[][] queues = new int[numClasses][];
        int[] pos = new int[numClasses];
        for (int c = 0; c < numClasses; c++) {
            queues[c] = members[c].clone();
            shuffle(queues[c], 0, queues[c].length, rng);
        }
        ArrayDeque<Integer> upcoming = new ArrayDeque<>();
        boolean[] inBatch = new boolean[numClasses];
        int[] batchClasses = new int[p];
        List<Integer> deferred = new ArrayList<>();
        int[][] batches = new int[batchesPerEpoch()][];
        for (int b = 0; b < batches.length; b++) {
            int[] batch = new int[p * k];
            for (int slot = 0; slot < p; slot++) {
                int c = -1;
                while (c < 0) {
                    if (upcoming.isEmpty()) {
                        int[] pass = new int[numClasses];
                        Arrays.setAll(pass, i -> i);
                        shuffle(pass, 0, numClasses, rng);
                        for (int x : pass) {
                            upcoming.addLast(x);
                        }
                    }
                    int next = upcoming.pollFirst();
                    if (inBatch[next]) {
                        deferred.add(next);
                    } else {
                        c = next;
                    }
                }
                inBatch[c] = true;
                batchClasses[slot] = c;
                draw(queues[c], pos, c, batch, slot * k, rng);
            }
            for (int i = deferred.size() - 1; i >= 0; i--) {
                upcoming.addFirst(deferred.get(i));
            }
            deferred.clear();
            for (int slot = 0; slot < p; slot++) {
                inBatch[batchClasses[slot]] = false;
            }
            batches[b] = batch;
        }
        return batches;
    }

    /** K distinct items of class c (all n plus K - n repeats when n &lt; K) into out[at..at+K). */
    private void draw(int[] queue, int[] pos, int c, int[] out, int at, SplittableRandom rng) {
        int n = queue.length;
        if (n < k) {
            shuffle(queue, 0, n, rng);
            System.arraycopy(queue, 0, out, at, n);
            for (int j = n; j < k; j++) {
                out[at + j] = queue[rng.nextInt(n)];
            }
            return;
        }
        int r = n - pos[c];
        if (r >= k) {
            System.arraycopy(queue, pos[c], out, at, k);
            pos[c] += k;
            return;
        }
        // r < k items left: take them, then reshuffle the used ones to the front of a new cycle
        // and keep the r just taken at the back, so the K items of this draw stay distinct.
        int[] taken = Arrays.copyOfRange(queue, pos[c], n);
        System.arraycopy(taken, 0, out, at, r);
        shuffle(queue, 0, pos[c], rng);
        shuffle(taken, 0, r, rng);
        System.arraycopy(taken, 0, queue, n - r, r);
        System.arraycopy(queue, 0, out, at + r, k - r);
        pos[c] = k - r;
    }

    static void shuffle(int[] a, int from, int to, SplittableRandom rng) {
        for (int i = to - 1; i > from; i--) {
            int j = from + rng.nextInt(i - from + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public String toString() {
        return "PxKSampler(p=" + p + ", k=" + k + ", seed=" + seed + ", items=" + size
                + ", classes=" + members.length + ")";
    }

    /** Builder of {@link PxKSampler}. */
    public static final class Builder {
        private long[] labels;
        private int p = DEFAULT_P;
        private int k = DEFAULT_K;
        private long seed = DEFAULT_SEED;
        private long startEpoch;

        private Builder() {}

        /** The label of every item (required; any long values, one class per distinct value). */
        public Builder setLabels(long[] labels) {
            this.labels = labels.clone();
            return this;
        }

        /** The labels of a dataset. */
        public Builder setLabels(LabeledImages images) {
            this.labels = images.labelArray();
            return this;
        }

        /** Classes per batch (default {@value #DEFAULT_P}). */
        public Builder optP(int p) {
            this.p = p;
            return this;
        }

        /** Items per class (default {@value #DEFAULT_K}). */
        public Builder optK(int k) {
            this.k = k;
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

        /** The sampler. */
        public PxKSampler build() {
            if (labels == null || labels.length == 0) {
                throw new IllegalArgumentException("labels must be set and non-empty, got "
                        + (labels == null ? "null" : "0 labels"));
            }
            Inputs.atLeast("p (classes per batch)", p, 1);
            Inputs.atLeast("k (items per class)", k, 1);
            long classes = Arrays.stream(labels).distinct().count();
            if (p > classes) {
                throw new IllegalArgumentException("p (classes per batch) must be <= the number of"
                        + " classes in the labels, " + classes + ", got " + p);
            }
            if ((long) p * k > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("p * k must fit an int, got " + p + " * " + k);
            }
            return new PxKSampler(this);
        }
    }
}
