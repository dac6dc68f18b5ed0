package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;
import org.metric4j.schedule.TrainingClock;

/**
 * Pairs drawn uniformly over their distance range (PML's {@code UniformHistogramMiner}): the
 * values of the positive pairs are cut into {@code numBins} equal-width bins between their
 * minimum and maximum, and {@code posPerBin} pairs are drawn uniformly with replacement from each
 * bin that holds a pair; the negative pairs likewise with {@code negPerBin}.
 *
 * <p>Bin i holds the values v with \( e_i \le v \lt e_{i+1} \) (the last bin also holds \( v =
 * e_{numBins} \)), the edges as torch's {@code linspace(min, max, numBins + 1)} computes them in
 * the matrix's dtype (torch's vectorized kernel may differ in the last bit for inner edges, which
 * moves only a value lying on an edge). Pairs are listed as torch lists them (row-major), bins
 * ascending.
 *
 * <p>Against a reference set ({@code mine(embeddings, labels, refEmbeddings, refLabels)}, PML's
 * {@code ref_emb}) the values are queries x references and no pair is excluded; under a {@link
 * PairRelation} its positive and negative pairs take the place of the labels'.
 *
 * <p>{@link #sample} gives the drawn pairs in draw order with their repeats, as PML's index
 * tuples. As a {@link PairMiner} ({@link #mine}), the pairs become masks, so a pair drawn several
 * times counts once in a pair loss (PML's loss would count it once per draw).
 *
 * <p>Defaults (PML's): {@value #DEFAULT_NUM_BINS} bins, {@value #DEFAULT_POS_PER_BIN} positive and
 * {@value #DEFAULT_NEG_PER_BIN} negative pairs per bin, L2 distance on normalized embeddings, a
 * {@link SplittableRandom} seeded with {@value #DEFAULT_SEED} (or, with {@link Builder#optClock}, one
 * per training iteration). Not thread-safe without a clock: the generator is shared by every call.
 */
public final class UniformHistogramMiner implements PairMiner {

    /** Default number of bins. */
    public static final int DEFAULT_NUM_BINS = 100;
    /** Default positive pairs drawn per non-empty bin. */
    public static final int DEFAULT_POS_PER_BIN = 10;
    /** Default negative pairs drawn per non-empty bin. */
    public static final int DEFAULT_NEG_PER_BIN = 10;
    /** Default seed of the generator. */
    public static final long DEFAULT_SEED = 0;

    private final int numBins;
    private final int posPerBin;
    private final int negPerBin;
    private final Distance distance;
    private final RandomGenerator random;
    private final long seed;
    private final TrainingClock clock;

    /**
     * The drawn pairs, rows {@code {anchor, other}} in draw order, repeats kept.
     *
     * @param positivePairs the positive pairs drawn
     * @param negativePairs the negative pairs drawn
     */
    public record Draws(long[][] positivePairs, long[][] negativePairs) {}

    private UniformHistogramMiner(Builder b) {
        this.numBins = b.numBins;
        this.posPerBin = b.posPerBin;
        this.negPerBin = b.negPerBin;
        this.distance = b.distance;
        this.random = b.random != null ? b.random : new SplittableRandom(b.seed);
        this.seed = b.seed;
        this.clock = b.clock;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The drawn pairs as B x B masks (each distinct pair once). */
    @Override
    public PairIndices mine(NDArray embeddings, NDArray labels) {
        Draws d = sample(embeddings, labels);
        return masks(embeddings, embeddings.getShape().get(0), d);
    }

    /** The drawn pairs as B x M masks (each distinct pair once). */
    @Override
    public PairIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        Draws d = sample(embeddings, labels, refEmbeddings, refLabels);
        return masks(embeddings, refEmbeddings.getShape().get(0), d);
    }

    /** The drawn pairs as B x M masks (each distinct pair once). */
    @Override
    public PairIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        Draws d = sample(embeddings, refEmbeddings, relation);
        return masks(embeddings, refEmbeddings.getShape().get(0), d);
    }

    /**
     * Draws the pairs of a batch against itself.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @return the pairs drawn, with their repeats
     */
    public Draws sample(NDArray embeddings, NDArray labels) {
        return sample(() -> MiningBatch.of(distance, embeddings, labels));
    }

    /**
     * Draws the pairs of queries against a labelled reference set (PML's {@code ref_emb}): the
     * values are queries x references, nothing excluded; a pair is {@code {query, reference}}.
     *
     * @param embeddings B x D queries
     * @param labels B query class ids
     * @param refEmbeddings M x D references
     * @param refLabels M reference class ids
     * @return the pairs drawn, with their repeats
     */
    public Draws sample(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return sample(() -> MiningBatch.of(distance, embeddings, labels, refEmbeddings, refLabels));
    }

    /**
     * Draws the pairs of queries against references among the pairs of a relation (the relation
     * derived from labels draws what the labels do, for the same seed).
     *
     * @param embeddings B x D queries
     * @param refEmbeddings M x D references
     * @param relation the B x M positive and negative pairs
     * @return the pairs drawn, with their repeats
     */
    public Draws sample(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return sample(() -> MiningBatch.of(distance, embeddings, refEmbeddings, relation));
    }

    private Draws sample(Supplier<MiningBatch> batch) {
        boolean single;
        double[][] v;
        boolean[][] posMask;
        boolean[][] negMask;
        try (NDScope scope = new NDScope()) {
            MiningBatch mb = batch.get();
            single = mb.matrix().getDataType() != DataType.FLOAT64;
            v = HostIndices.rows(mb.matrix());
            posMask = HostIndices.mask(mb.masks().positive());
            negMask = HostIndices.mask(mb.masks().negative());
        }
        List<long[]> pos = new ArrayList<>();
        List<long[]> neg = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v[i].length; j++) {
                if (posMask[i][j]) {
                    pos.add(new long[] {i, j});
                } else if (negMask[i][j]) {
                    neg.add(new long[] {i, j});
                }
            }
        }
        RandomGenerator rng = generator();
        return new Draws(draw(pos, v, posPerBin, single, rng), draw(neg, v, negPerBin, single, rng));
    }

    private long[][] draw(List<long[]> pairs, double[][] v, int perBin, boolean single, RandomGenerator rng) {
        if (pairs.isEmpty()) {
            return new long[0][];
        }
        double[] values = new double[pairs.size()];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < values.length; k++) {
            long[] pr = pairs.get(k);
            values[k] = v[(int) pr[0]][(int) pr[1]];
            min = Math.min(min, values[k]);
            max = Math.max(max, values[k]);
        }
        double[] edges = linspace(min, max, numBins + 1, single);
        List<long[]> out = new ArrayList<>();
        int[] members = new int[values.length];
        for (int bin = 0; bin < numBins; bin++) {
            boolean last = bin == numBins - 1;
            int count = 0;
            for (int k = 0; k < values.length; k++) {
                double x = values[k];
                if (edges[bin] <= x && (last ? x <= edges[bin + 1] : x < edges[bin + 1])) {
                    members[count++] = k;
                }
            }
            for (int t = 0; count > 0 && t < perBin; t++) {
                out.add(pairs.get(members[rng.nextInt(count)]).clone());
            }
        }
        return out.toArray(new long[0][]);
    }

    /** torch's CPU {@code linspace}: from the start below the halfway index, from the end above it. */
    static double[] linspace(double start, double end, int steps, boolean single) {
        double[] e = new double[steps];
        int halfway = steps / 2;
        if (single) {
            float s = (float) start;
            float t = (float) end;
            float step = (t - s) / (steps - 1);
            for (int i = 0; i < steps; i++) {
                e[i] = i < halfway ? s + step * i : t - step * (steps - i - 1);
            }
        } else {
            double step = (end - start) / (steps - 1);
            for (int i = 0; i < steps; i++) {
                e[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
            }
        }
        return e;
    }

    private static PairIndices masks(NDArray like, long m, Draws d) {
        long b = like.getShape().get(0);
        return new PairIndices(mask(like, d.positivePairs(), b, m), mask(like, d.negativePairs(), b, m));
    }

    private static NDArray mask(NDArray like, long[][] pairs, long b, long m) {
        boolean[] mask = new boolean[Math.toIntExact(b * m)];
        for (long[] pr : pairs) {
            mask[(int) (pr[0] * m + pr[1])] = true;
        }
        return like.getManager().create(mask, new Shape(b, m)).toDevice(like.getDevice(), false);
    }

    /** The generator of one call: the stream, or with a clock a fresh one of (seed, iteration). */
    private RandomGenerator generator() {
        return clock == null ? random : new SplittableRandom(Seeds.mix(seed, clock.iteration(), 0x5548534dL));
    }

    @Override
    public String toString() {
        return "UniformHistogramMiner(numBins=" + numBins + ", posPerBin=" + posPerBin + ", negPerBin=" + negPerBin
                + ", distance=" + distance + ")";
    }

    /** Builder of {@link UniformHistogramMiner}. */
    public static final class Builder {
        private int numBins = DEFAULT_NUM_BINS;
        private int posPerBin = DEFAULT_POS_PER_BIN;
        private int negPerBin = DEFAULT_NEG_PER_BIN;
        private Distance distance = LpDistance.euclidean();
        private long seed = DEFAULT_SEED;
        private RandomGenerator random;
        private TrainingClock clock;

        private Builder() {}

        /** The number of bins, {@code >= 1} (default {@value #DEFAULT_NUM_BINS}). */
        public Builder optNumBins(int numBins) {
            this.numBins = atLeastOne("numBins", numBins);
            return this;
        }

        /** Positive pairs drawn per non-empty bin, {@code >= 1} (default {@value #DEFAULT_POS_PER_BIN}). */
        public Builder optPosPerBin(int posPerBin) {
            this.posPerBin = atLeastOne("posPerBin", posPerBin);
            return this;
        }

        /** Negative pairs drawn per non-empty bin, {@code >= 1} (default {@value #DEFAULT_NEG_PER_BIN}). */
        public Builder optNegPerBin(int negPerBin) {
            this.negPerBin = atLeastOne("negPerBin", negPerBin);
            return this;
        }

        /** The distance or similarity whose values are binned (default L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            if (distance == null) {
                throw new IllegalArgumentException("distance must be a Distance, got null");
            }
            this.distance = distance;
            return this;
        }

        /** Draws from a {@link SplittableRandom} with this seed (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            this.random = null;
            return this;
        }

        /** Draws from this generator (advanced by every call). */
        public Builder optGenerator(RandomGenerator generator) {
            if (generator == null) {
                throw new IllegalArgumentException("generator must be a RandomGenerator, got null");
            }
            this.random = generator;
            return this;
        }

        private static int atLeastOne(String name, int value) {
            Inputs.atLeast(name, value, 1);
            return value;
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
        public UniformHistogramMiner build() {
            if (clock != null && random != null) {
                throw new IllegalArgumentException("optClock draws from (seed, iteration) and cannot be combined"
                        + " with optGenerator; give the seed with optSeed");
            }
            return new UniformHistogramMiner(this);
        }
    }
}
