package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;
import org.metric4j.schedule.TrainingClock;

/**
 * Distance-weighted sampling (Wu, Manmatha, Smola, Krähenbühl 2017, "Sampling Matters in
 * Deep Embedding Learning", arXiv:1706.07567; PML's {@code DistanceWeightedMiner}): negatives
 * drawn with probability inversely proportional to how often their distance occurs between
 * random points on the unit sphere, so that every distance is sampled about equally.
 *
 * <p>On L2-normalized embeddings of dimension D, with \( d = \max(d_{an}, c) \) (the cutoff c
 * keeps the weights of very close pairs bounded):
 *
 * <p>\( \log w_{an} = (2 - D) \log d - \frac{D - 3}{2} \log(1 - d^2 / 4) \), and \( w_{an} = 0
 * \) when n shares the anchor's label, when \( d \ge \) the nonzero-loss cutoff (PML's
 * {@code nonzero_loss_cutoff}: such negatives give no margin loss), or when the log-weight is not
 * finite. The weights are normalized per anchor.
 *
 * <p>Triplets as PML's {@code get_random_triplet_indices}: each query with at least one positive
 * and a nonzero weight is the anchor of n<sub>p</sub> triplets, n<sub>p</sub> the number of
 * references of its class (itself included when the batch is mined against itself: its
 * positives plus one), each with a positive drawn uniformly among its positives and a negative
 * drawn from its weights. Anchors come in ascending order (PML groups them by label; the draws
 * per anchor are the same in distribution). Against a reference set ({@code mine(embeddings,
 * labels, refEmbeddings, refLabels)}, PML's {@code ref_emb}) the distances are queries x
 * references and nothing is excluded; under a {@link PairRelation} its positive and negative
 * pairs take the place of the labels', so the relation derived from the labels mines the same
 * triplets for the same seed. The draws come from the generator given to the builder, so a miner
 * built with the same seed mines the same triplets on the same batches. The weights are computed
 * in float64 whatever the embeddings' dtype, each anchor's row shifted by its own maximum (PML
 * shifts by the batch maximum; the normalized weights are the same unless they underflow to 0 in PML).
 *
 * <p>Defaults (PML's): cutoff {@value #DEFAULT_CUTOFF}, nonzero-loss cutoff {@value
 * #DEFAULT_NONZERO_LOSS_CUTOFF}, a {@link SplittableRandom} seeded with {@value #DEFAULT_SEED}
 * (or, with {@link Builder#optClock}, one per training iteration).
 * The distance is L2 on normalized embeddings (the only one PML accepts). Not thread-safe without a
 * clock: the generator is shared by every call.
 */
public final class DistanceWeightedMiner implements TripletMiner {

    /** Default cutoff c below which distances are raised to c. */
    public static final double DEFAULT_CUTOFF = 0.5;
    /** Default distance from which a negative gets weight 0. */
    public static final double DEFAULT_NONZERO_LOSS_CUTOFF = 1.4;
    /** Default seed of the generator. */
    public static final long DEFAULT_SEED = 0;

    private static final LpDistance DISTANCE = LpDistance.euclidean();

    private final double cutoff;
    private final double nonzeroLossCutoff;
    private final RandomGenerator random;
    private final long seed;
    private final TrainingClock clock;

    private DistanceWeightedMiner(Builder b) {
        this.cutoff = b.cutoff;
        this.nonzeroLossCutoff = b.nonzeroLossCutoff;
        this.random = b.random != null ? b.random : new SplittableRandom(b.seed);
        this.seed = b.seed;
        this.clock = b.clock;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels) {
        return mine(embeddings, true, () -> MiningBatch.of(DISTANCE, embeddings, labels));
    }

    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return mine(embeddings, false, () -> MiningBatch.of(DISTANCE, embeddings, labels, refEmbeddings, refLabels));
    }

    /**
     * {@inheritDoc}
     *
     * <p>With {@code refEmbeddings} the queries themselves (the same array) the anchor counts as
     * one of its own references, as in the labelled batch: it gets one triplet more than it has
     * positives (unless the relation pairs it with itself already).
     */
    @Override
    public TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return mine(embeddings, embeddings == refEmbeddings,
                () -> MiningBatch.of(DISTANCE, embeddings, refEmbeddings, relation));
    }

    private TripletIndices mine(NDArray like, boolean self, Supplier<MiningBatch> batch) {
        double[][] dist;
        boolean[][] pos;
        boolean[][] neg;
        try (NDScope scope = new NDScope()) {
            MiningBatch mb = batch.get();
            dist = HostIndices.rows(mb.matrix());
            pos = HostIndices.mask(mb.masks().positive());
            neg = HostIndices.mask(mb.masks().negative());
        }
        double[][] w = weights(dist, neg, like.getShape().get(1));
        RandomGenerator rng = generator();
        RandomTriplets out = new RandomTriplets();
        for (int a = 0; a < dist.length; a++) {
            long[] positives = columns(pos[a]);
            double[] cumulative = cumulative(w[a]);
            if (positives.length == 0 || cumulative == null) {
                continue;
            }
            int k = positives.length + (self && !pos[a][a] ? 1 : 0);
            for (int t = 0; t < k; t++) {
                out.add(a, positives[rng.nextInt(positives.length)], draw(cumulative, rng));
            }
        }
        return out.toIndices(like);
    }

    /** The columns of a mask row that are set, ascending. */
    private static long[] columns(boolean[] row) {
        int n = 0;
        for (boolean v : row) {
            n += v ? 1 : 0;
        }
        long[] out = new long[n];
        for (int j = 0, at = 0; j < row.length; j++) {
            if (row[j]) {
                out[at++] = j;
            }
        }
        return out;
    }

    /**
     * The normalized weights per anchor row (0 where a pair is not a negative or is excluded),
     * for the B x M distances of queries to references; rows without a weight are all 0.
     */
    double[][] weights(double[][] dist, boolean[][] negative, long dim) {
        int b = dist.length;
        double[][] w = new double[b][];
        for (int i = 0; i < b; i++) {
            int m = dist[i].length;
            double[] logW = new double[m];
            w[i] = new double[m];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double d = Math.max(dist[i][j], cutoff);
                double lw = (2.0 - dim) * Math.log(d) - ((dim - 3.0) / 2.0) * Math.log(1.0 - 0.25 * d * d);
                boolean keep = negative[i][j] && d < nonzeroLossCutoff && Double.isFinite(lw);
                logW[j] = keep ? lw : Double.NaN;
                if (keep) {
                    max = Math.max(max, lw);
                }
            }
            double sum = 0;
            for (int j = 0; j < m; j++) {
                w[i][j] = Double.isNaN(logW[j]) ? 0 : Math.exp(logW[j] - max);
                sum += w[i][j];
            }
            for (int j = 0; sum > 0 && j < m; j++) {
                w[i][j] /= sum;
            }
        }
        return w;
    }

    /** The running sums of a weight row, or null when every weight is 0. */
    private static double[] cumulative(double[] row) {
        double[] c = new double[row.length];
        double s = 0;
        for (int j = 0; j < row.length; j++) {
            s += row[j];
            c[j] = s;
        }
        return s > 0 ? c : null;
    }

    /** A column drawn with probability proportional to its weight (never one of weight 0). */
    private static int draw(double[] cumulative, RandomGenerator rng) {
        int last = cumulative.length - 1;
        double u = rng.nextDouble() * cumulative[last];
        int lo = 0;
        int hi = last;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // u rounded up to the total: step back over trailing columns of weight 0
        while (lo > 0 && cumulative[lo] == cumulative[lo - 1]) {
            lo--;
        }
        return lo;
    }

    /** The generator of one call: the stream, or with a clock a fresh one of (seed, iteration). */
    private RandomGenerator generator() {
        return clock == null ? random : new SplittableRandom(Seeds.mix(seed, clock.iteration(), 0x4457534dL));
    }

    @Override
    public String toString() {
        return "DistanceWeightedMiner(cutoff=" + cutoff + ", nonzeroLossCutoff=" + nonzeroLossCutoff + ")";
    }

    /** Builder of {@link DistanceWeightedMiner}. */
    public static final class Builder {
        private double cutoff = DEFAULT_CUTOFF;
        private double nonzeroLossCutoff = DEFAULT_NONZERO_LOSS_CUTOFF;
        private long seed = DEFAULT_SEED;
        private RandomGenerator random;
        private TrainingClock clock;

        private Builder() {}

        /** The cutoff c, {@code > 0} (default {@value #DEFAULT_CUTOFF}). */
        public Builder optCutoff(double cutoff) {
            this.cutoff = Inputs.positive("cutoff", cutoff);
            return this;
        }

        /** The distance from which negatives get weight 0, {@code > 0} (default {@value #DEFAULT_NONZERO_LOSS_CUTOFF}). */
        public Builder optNonzeroLossCutoff(double nonzeroLossCutoff) {
            this.nonzeroLossCutoff = Inputs.positive("nonzeroLossCutoff", nonzeroLossCutoff);
            return this;
        }

        /** Draws from a {@link SplittableRandom} with this seed (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            this.random = null;
            return this;
        }

        /** Draws from this generator (used by this miner alone; it is advanced by every call). */
        public Builder optGenerator(RandomGenerator generator) {
            if (generator == null) {
                throw new IllegalArgumentException("generator must be a RandomGenerator, got null");
            }
            this.random = generator;
            return this;
        }

        /**
         * Draws each call from a generator seeded by (seed, {@code clock.iteration()}) instead of
         * one stream (default none): every call within an iteration mines the same pairs (DJL
         * evaluates the loss a second time for its logs), and a run resumed at iteration i (the
         * clock set to i) mines what the uninterrupted run did.
         */
        public Builder optClock(TrainingClock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock must be a TrainingClock, got null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * The miner.
         *
         * @throws IllegalArgumentException for a clock together with a generator (a clock draws
         *     from the seed)
         */
        public DistanceWeightedMiner build() {
            if (clock != null && random != null) {
                throw new IllegalArgumentException("optClock draws from (seed, iteration) and cannot be combined"
                        + " with optGenerator; give the seed with optSeed");
            }
            return new DistanceWeightedMiner(this);
        }
    }
}
