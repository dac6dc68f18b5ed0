package org.metric4j.sampler;

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
 * A fixed set of triplets drawn once from the labels (PML's {@code FixedSetOfTriplets}): for
 * experiments where the only ground truth is a set of (anchor, positive, negative) triplets. Each
 * triplet picks an anchor class and a different negative class uniformly, then two distinct items
 * of the anchor class (anchor, positive) and one item of the negative class, all uniformly.
 *
 * <p>As an {@link EpochSampler}, every epoch visits each triplet once in a fresh order (a
 * function of (seed, epoch)), {@link #getBatchSize() batches} of whole triplets laid out as rows
 * {@code 3t, 3t + 1, 3t + 2}, so that {@link org.metric4j.miner.EmbeddingsAlreadyPackagedAsTriplets}
 * recovers them; the last batch may hold fewer triplets. The set itself depends only on the labels,
 * the number of triplets and the seed.
 *
 * <p>Departure from PML: the anchor class is drawn among the classes with at least two items (PML
 * draws among all classes and, for a class of one item, repeats it as its own positive).
 *
 * <p>Defaults: {@value #DEFAULT_TRIPLETS_PER_BATCH} triplets per batch, seed {@value #DEFAULT_SEED}.
 */
public final class FixedSetOfTriplets implements EpochSampler {

    /** Default number of triplets per batch (batch size 3 times it). */
    public static final int DEFAULT_TRIPLETS_PER_BATCH = 32;
    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final int[][] triplets;
    private final int tripletsPerBatch;
    private final int size;
    private final long seed;
    private long nextEpoch;

    private FixedSetOfTriplets(Builder b, int[][] triplets) {
        this.triplets = triplets;
        this.tripletsPerBatch = b.tripletsPerBatch;
        this.size = b.labels.length;
        this.seed = b.seed;
        this.nextEpoch = b.startEpoch;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The triplets as rows {@code {anchor, positive, negative}} of item indices, in the order drawn. */
    public int[][] triplets() {
        int[][] out = new int[triplets.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = triplets[i].clone();
        }
        return out;
    }

    /** Three times the triplets per batch. */
    @Override
    public int getBatchSize() {
        return 3 * tripletsPerBatch;
    }

    @Override
    public int batchesPerEpoch() {
        return (triplets.length + tripletsPerBatch - 1) / tripletsPerBatch;
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
        int[] order = new int[triplets.length];
        Arrays.setAll(order, i -> i);
        PxKSampler.shuffle(order, 0, order.length, new SplittableRandom(Seeds.mix(seed, epoch, 0x46535454L)));
        int[][] batches = new int[batchesPerEpoch()][];
        for (int b = 0; b < batches.length; b++) {
            int from = b * tripletsPerBatch;
            int to = Math.min(order.length, from + tripletsPerBatch);
            int[] batch = new int[3 * (to - from)];
            for (int t = from; t < to; t++) {
                System.arraycopy(triplets[order[t]], 0, batch, 3 * (t - from), 3);
            }
            batches[b] = batch;
        }
        return batches;
    }

    @Override
    public String toString() {
        return "FixedSetOfTriplets(triplets=" + triplets.length + ", tripletsPerBatch=" + tripletsPerBatch
                + ", seed=" + seed + ", items=" + size + ")";
    }

    /** Builder of {@link FixedSetOfTriplets}. */
    public static final class Builder {
        private long[] labels;
        private int numTriplets = -1;
        private int tripletsPerBatch = DEFAULT_TRIPLETS_PER_BATCH;
        private long seed = DEFAULT_SEED;
        private long startEpoch;

        private Builder() {}

        /** The label of every item (required). */
        public Builder setLabels(long[] labels) {
            this.labels = labels == null ? null : labels.clone();
            return this;
        }

        /** The labels of a dataset. */
        public Builder setLabels(LabeledImages images) {
            this.labels = images.labelArray();
            return this;
        }

        /** The number of triplets, {@code >= 1} (required). */
        public Builder setNumTriplets(int numTriplets) {
            this.numTriplets = numTriplets;
            return this;
        }

        /** Triplets per batch, {@code >= 1} (default {@value #DEFAULT_TRIPLETS_PER_BATCH}). */
        public Builder optTripletsPerBatch(int tripletsPerBatch) {
            this.tripletsPerBatch = tripletsPerBatch;
            return this;
        }

        /** The seed of the set and of the epoch orders (default {@value #DEFAULT_SEED}). */
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
         * Draws the set.
         *
         * @throws IllegalArgumentException without labels, with fewer than two classes, with no
         *     class of two items, or with {@code numTriplets} or {@code tripletsPerBatch} below 1
         */
        public FixedSetOfTriplets build() {
            if (labels == null || labels.length == 0) {
                throw new IllegalArgumentException("labels must be set and non-empty, got "
                        + (labels == null ? "null" : "0 labels"));
            }
            if (numTriplets < 1) {
                throw new IllegalArgumentException("numTriplets must be set and >= 1, got " + numTriplets);
            }
            Inputs.atLeast("tripletsPerBatch", tripletsPerBatch, 1);
            Map<Long, List<Integer>> byClass = new TreeMap<>();
            for (int i = 0; i < labels.length; i++) {
                byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
            }
            int[][] members = byClass.values().stream()
                    .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
            if (members.length < 2) {
                throw new IllegalArgumentException("labels must hold at least 2 classes (a negative needs another"
                        + " class), got " + members.length);
            }
            int[] anchorClasses = java.util.stream.IntStream.range(0, members.length)
                    .filter(c -> members[c].length >= 2).toArray();
            if (anchorClasses.length == 0) {
                throw new IllegalArgumentException("labels must hold a class of at least 2 items (an anchor needs a"
                        + " positive), got " + members.length + " classes of 1 item");
            }
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 0x46495854L));
            int[][] out = new int[numTriplets][];
            for (int t = 0; t < numTriplets; t++) {
                int ac = anchorClasses[rng.nextInt(anchorClasses.length)];
                int nc = rng.nextInt(members.length - 1);
                nc = nc < ac ? nc : nc + 1;
                int[] a = members[ac];
                int i = rng.nextInt(a.length);
                int j = rng.nextInt(a.length - 1);
                j = j < i ? j : j + 1;
                int[] n = members[nc];
                out[t] = new int[] {a[i], a[j], n[rng.nextInt(n.length)]};
            }
            return new FixedSetOfTriplets(this, out);
        }
    }
}
