package org.metric4j.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.math.Seeds;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMiner;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMiner;

/**
 * Items drawn in proportion to how often a miner picks them (PML's
 * {@code TuplesToWeightsSampler}): a miner runs over the embeddings of a random subset of the
 * dataset (or all of it), each item of the subset gets the weight
 * \( w_i = \mathrm{count}_i / \max_j \mathrm{count}_j \), where \( \mathrm{count}_i \) is the
 * number of times i appears in the mined tuples (as anchor, positive or negative: PML's
 * {@code convert_to_weights}), items outside the subset get 0, and the epoch is that many
 * draws with replacement with probability \( w_i / \sum_j w_j \) (PML's
 * {@code WeightedRandomSampler}). When the miner finds no tuple every item of the subset weighs 1.
 *
 * <p>This version works on precomputed embeddings (PML's recomputes them with the model at each
 * epoch): build a new sampler when the embeddings change. They are copied into a sub-manager of
 * their manager, which must stay open while the sampler is used; {@link #close()} frees the copy.
 * The draws are cut into batches of {@link #getBatchSize()} (the last one may be shorter).
 * Epoch e depends only on (seed, e): the subset, the weights and the draws.
 */
public final class TuplesToWeightsSampler implements EpochSampler, AutoCloseable {

    /** Default batch size of the draws (that of {@link ShuffleSampler}). */
    public static final int DEFAULT_BATCH_SIZE = ShuffleSampler.DEFAULT_BATCH_SIZE;

    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final NDManager manager;
    private final NDArray embeddings;
    private final long[] labels;
    private final TripletMiner tripletMiner;
    private final PairMiner pairMiner;
    private final int subsetSize;
    private final int batchSize;
    private final long seed;
    private double[] allWeights; // cached when the subset is the whole dataset
    private long nextEpoch;

    private TuplesToWeightsSampler(Builder b) {
        this.manager = b.embeddings.getManager().newSubManager();
        this.embeddings = b.embeddings.duplicate();
        this.embeddings.attach(manager);
        this.labels = b.labels;
        this.tripletMiner = b.tripletMiner;
        this.pairMiner = b.pairMiner;
        this.subsetSize = b.subsetSize == 0 ? b.labels.length : b.subsetSize;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.nextEpoch = b.startEpoch;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of items mined and drawn per epoch (the dataset size when no subset is set). */
    public int subsetSize() {
        return subsetSize;
    }

    @Override
    public int getBatchSize() {
        return batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return (subsetSize + batchSize - 1) / batchSize;
    }

    @Override
    public int datasetSize() {
        return labels.length;
    }

    @Override
    public synchronized long nextEpoch() {
        return nextEpoch;
    }

    @Override
    public synchronized void setNextEpoch(long epoch) {
        this.nextEpoch = epoch;
    }

    /**
     * The items mined in epoch {@code epoch}, ascending: all items, or {@code subsetSize}
     * distinct items drawn uniformly.
     */
    public int[] subset(long epoch) {
        int n = labels.length;
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        if (subsetSize == n) {
            return all;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, 0x53756273L));
        for (int j = 0; j < subsetSize; j++) {
            int r = j + rng.nextInt(n - j);
            int t = all[j];
            all[j] = all[r];
            all[r] = t;
        }
        int[] out = Arrays.copyOf(all, subsetSize);
        Arrays.sort(out);
        return out;
    }

    /**
     * The weight of every item in epoch {@code epoch} (length {@link #datasetSize()}): the number
     * of times it appears in the tuples mined over {@link #subset(long)} divided by the largest
     * such number; 0 outside the subset; 1 over the subset when nothing is mined.
     */
    public synchronized double[] weights(long epoch) {
        if (subsetSize == labels.length) {
            if (allWeights == null) {
                allWeights = mineWeights(subset(epoch));
            }
            return allWeights.clone();
        }
        return mineWeights(subset(epoch));
    }

    /** The items of epoch {@code epoch}: {@code subsetSize} draws with replacement by weight. */
    public int[] epochIndices(long epoch) {
        double[] w = weights(epoch);
        double[] cumulative = new double[w.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            total += w[i];
            cumulative[i] = total;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, 0x54325773L));
        int[] out = new int[subsetSize];
        for (int j = 0; j < subsetSize; j++) {
            double u = rng.nextDouble() * total;
            // the first item whose cumulative weight exceeds u (items of weight 0 are never hit)
            int lo = 0;
            int hi = w.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            out[j] = lo;
        }
        return out;
    }

    @Override
    public int[][] epochBatches(long epoch) {
        int[] items = epochIndices(epoch);
        int[][] batches = new int[batchesPerEpoch()][];
        for (int b = 0; b < batches.length; b++) {
            int from = b * batchSize;
            batches[b] = Arrays.copyOfRange(items, from, Math.min(items.length, from + batchSize));
        }
        return batches;
    }

    private double[] mineWeights(int[] subset) {
        long[] counts = new long[subset.length];
        try (NDScope scope = new NDScope()) {
            NDArray x = subset.length == labels.length ? embeddings
                    : NDMath.takeRows(embeddings, manager.create(Arrays.stream(subset).asLongStream().toArray()));
            long[] y = new long[subset.length];
            for (int j = 0; j < subset.length; j++) {
                y[j] = labels[subset[j]];
            }
            NDArray yNd = manager.create(y);
            if (tripletMiner != null) {
                TripletIndices t = tripletMiner.mine(x, yNd);
                for (long[] row : t.toArray()) {
                    for (long i : row) {
                        counts[(int) i]++;
                    }
                }
            } else {
                PairIndices p = pairMiner.mine(x, yNd);
                for (long[][] pairs : new long[][][] {p.positivePairs(), p.negativePairs()}) {
                    for (long[] row : pairs) {
                        counts[(int) row[0]]++;
                        counts[(int) row[1]]++;
                    }
                }
            }
        }
        long max = Arrays.stream(counts).max().orElse(0);
        double[] w = new double[labels.length];
        for (int j = 0; j < subset.length; j++) {
            w[subset[j]] = max == 0 ? 1 : (double) counts[j] / max;
        }
        return w;
    }

    /** Frees the copy of the embeddings. */
    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "TuplesToWeightsSampler(miner=" + (tripletMiner != null ? tripletMiner : pairMiner)
                + ", subsetSize=" + subsetSize + ", batchSize=" + batchSize + ", seed=" + seed
                + ", items=" + labels.length + ")";
    }

    /** Builder of {@link TuplesToWeightsSampler}. */
    public static final class Builder {
        private NDArray embeddings;
        private long[] labels;
        private TripletMiner tripletMiner;
        private PairMiner pairMiner;
        private int subsetSize;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long seed = DEFAULT_SEED;
        private long startEpoch;

        private Builder() {}

        /** The N x D embeddings of the dataset (required; copied at {@link #build()}). */
        public Builder setEmbeddings(NDArray embeddings) {
            this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
            return this;
        }

        /** The N labels (required). */
        public Builder setLabels(long[] labels) {
            this.labels = labels.clone();
            return this;
        }

        /** The miner (required: a triplet miner or a pair miner). */
        public Builder setMiner(TripletMiner miner) {
            this.tripletMiner = Objects.requireNonNull(miner, "miner");
            this.pairMiner = null;
            return this;
        }

        /** The miner (required: a triplet miner or a pair miner); PML's (a1, p, a2, n) tuples. */
        public Builder setMiner(PairMiner miner) {
            this.pairMiner = Objects.requireNonNull(miner, "miner");
            this.tripletMiner = null;
            return this;
        }

        /** Items mined and drawn per epoch, in [1, N] (default: all N, PML's {@code subset_size=None}). */
        public Builder optSubsetSize(int subsetSize) {
            Inputs.atLeast("subsetSize", subsetSize, 1);
            this.subsetSize = subsetSize;
            return this;
        }

        /** Draws per batch (default {@value #DEFAULT_BATCH_SIZE}). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
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
        public TuplesToWeightsSampler build() {
            if (embeddings == null) {
                throw new IllegalArgumentException("embeddings must be set, got none");
            }
            long n = Inputs.embeddings("embeddings", embeddings);
            if (labels == null || labels.length != n) {
                throw new IllegalArgumentException("labels must be set, one per embedding row ("
                        + n + "), got " + (labels == null ? "none" : labels.length));
            }
            if (tripletMiner == null && pairMiner == null) {
                throw new IllegalArgumentException("miner must be set (a TripletMiner or a PairMiner), got none");
            }
            if (subsetSize > n) {
                throw new IllegalArgumentException("subsetSize must be <= the number of items ("
                        + n + "), got " + subsetSize);
            }
            Inputs.atLeast("batchSize", batchSize, 1);
            return new TuplesToWeightsSampler(this);
        }
    }
}
