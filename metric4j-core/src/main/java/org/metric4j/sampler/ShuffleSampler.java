package org.metric4j.sampler;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;

/**
 * Plain shuffled batches for classification heads (softmax, CosFace, ArcFace): each epoch is a
 * fresh permutation of all N items cut into batches of B, the last partial batch dropped by
 * default (as InsightFace does, so that every step sees B items) or kept with
 * {@code optKeepLast()}. Epoch e depends only on (seed, e).
 */
public final class ShuffleSampler implements EpochSampler {

    /** Default batch size (InsightFace's per-GPU batch). */
    public static final int DEFAULT_BATCH_SIZE = 128;

    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final int size;
    private final int batchSize;
    private final boolean dropLast;
    private final long seed;
    private long nextEpoch;

    private ShuffleSampler(Builder b) {
        this.size = b.size;
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.nextEpoch = b.startEpoch;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int getBatchSize() {
        return batchSize;
    }

    /** Whether the last partial batch is dropped. */
    public boolean dropLast() {
        return dropLast;
    }

    @Override
    public int batchesPerEpoch() {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
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
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        PxKSampler.shuffle(order, 0, size, new SplittableRandom(Seeds.mix(seed, epoch, 0x5368L)));
        int[][] batches = new int[batchesPerEpoch()][];
        for (int b = 0; b < batches.length; b++) {
            int from = b * batchSize;
            int to = Math.min(size, from + batchSize);
            batches[b] = Arrays.copyOfRange(order, from, to);
        }
        return batches;
    }

    @Override
    public String toString() {
        return "ShuffleSampler(batchSize=" + batchSize + ", dropLast=" + dropLast + ", seed=" + seed
                + ", items=" + size + ")";
    }

    /** Builder of {@link ShuffleSampler}. */
    public static final class Builder {
        private int size = -1;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private boolean dropLast = true;
        private long seed = DEFAULT_SEED;
        private long startEpoch;

        private Builder() {}

        /** The number of items N (required). */
        public Builder setSize(int size) {
            this.size = size;
            return this;
        }

        /** The number of items of a dataset. */
        public Builder setSize(LabeledImages images) {
            this.size = images.size();
            return this;
        }

        /** The batch size B (default {@value #DEFAULT_BATCH_SIZE}). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Keep the last partial batch of each epoch (default: dropped, as InsightFace). */
        public Builder optKeepLast() {
            this.dropLast = false;
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
        public ShuffleSampler build() {
            if (size < 1) {
                throw new IllegalArgumentException("size must be set and >= 1, got " + size);
            }
            Inputs.atLeast("batchSize", batchSize, 1);
            if (dropLast && batchSize > size) {
                throw new IllegalArgumentException("batchSize must be <= size (" + size
                        + ") when the last partial batch is dropped, got " + batchSize
                        + " (every batch would be dropped; use optKeepLast())");
            }
            return new ShuffleSampler(this);
        }
    }
}
