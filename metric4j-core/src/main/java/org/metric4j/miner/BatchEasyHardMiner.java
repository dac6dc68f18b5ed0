package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.NDMath;

/**
 * One positive and one negative per anchor, each chosen easy, semi-hard or hard (Xuan et al.
 * 2020, "Improved Embeddings with Easy Positive Triplet Mining", arXiv:1904.04370; PML's {@code
 * BatchEasyHardMiner}), or every pair of a kind.
 *
 * <p>Per anchor, with distances d (for a similarity every comparison flips):
 *
 * <ul>
 *   <li>positive: {@link Strategy#EASY} the smallest \( d_{ap} \), {@link Strategy#HARD} the
 *       largest, {@link Strategy#SEMIHARD} the largest \( d_{ap} \lt d_{an^*} \), below the
 *       anchor's chosen negative;
 *   <li>negative: {@link Strategy#HARD} the smallest \( d_{an} \), {@link Strategy#EASY} the
 *       largest, {@link Strategy#SEMIHARD} the smallest \( d_{an} > d_{ap^*} \), beyond the
 *       anchor's chosen positive;
 *   <li>{@link Strategy#ALL}: every pair of that kind (the allowed range does not apply).
 * </ul>
 *
 * An allowed range first removes the pairs whose value lies outside it. Without ALL, only the
 * anchors that get both a positive and a negative are kept, and the pairs share their anchors
 * ({@link #mineTriplets}); with ALL on one side, the other side lists every anchor that got a
 * pair. Semi-hard on both sides, or semi-hard with ALL, is refused (as in PML).
 *
 * <p>Defaults (PML's): positive EASY, negative SEMIHARD, no ranges, L2 distance on normalized
 * embeddings.
 */
public final class BatchEasyHardMiner implements PairMiner {

    /** How one side of a pair is chosen. */
    public enum Strategy {
        /** The hardest pair (farthest positive, closest negative). */
        HARD,
        /** The hardest pair that is still easier than the other side's choice. */
        SEMIHARD,
        /** The easiest pair (closest positive, farthest negative). */
        EASY,
        /** Every pair. */
        ALL;

        /**
         * The strategy of a PML name ({@code "hard"}, {@code "semihard"}, {@code "easy"}, {@code
         * "all"}).
         */
        public static Strategy fromName(String name) {
            if (name != null) {
                for (Strategy s : values()) {
                    if (s.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                        return s;
                    }
                }
            }
            throw new IllegalArgumentException(
                    "strategy must be one of hard, semihard, easy, all, got '" + name + "'");
        }
    }

    /** Default positive strategy. */
    public static final Strategy DEFAULT_POS_STRATEGY = Strategy.EASY;
    /** Default negative strategy. */
    public static final Strategy DEFAULT_NEG_STRATEGY = Strategy.SEMIHARD;

    private final Strategy posStrategy;
    private final Strategy negStrategy;
    private final AllowedRange posRange;
    private final AllowedRange negRange;
    private final Distance distance;

    private BatchEasyHardMiner(Builder b) {
        this.posStrategy = b.posStrategy;
        this.negStrategy = b.negStrategy;
        this.posRange = b.posRange;
        this.negRange = b.negRange;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public PairIndices mine(NDArray embeddings, NDArray labels) {
        return select(MiningBatch.of(distance, embeddings, labels)).pairs();
    }

    @Override
    public PairIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return select(MiningBatch.of(distance, embeddings, labels, refEmbeddings, refLabels)).pairs();
    }

    @Override
    public PairIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return select(MiningBatch.of(distance, embeddings, refEmbeddings, relation)).pairs();
    }

    /**
     * The mined pairs as triplets (a, p, n), one per kept anchor, anchors ascending.
     *
     * @throws IllegalStateException when a strategy is ALL (the pairs then share no anchors)
     */
    public TripletIndices mineTriplets(NDArray embeddings, NDArray labels) {
        requireTriplets();
        return select(MiningBatch.of(distance, embeddings, labels)).triplets();
    }

    /**
     * The mined pairs of queries against a labelled reference set as triplets (a, p, n), p and n
     * indexing the references.
     *
     * @throws IllegalStateException when a strategy is ALL
     */
    public TripletIndices mineTriplets(NDArray embeddings, NDArray labels, NDArray refEmbeddings,
            NDArray refLabels) {
        requireTriplets();
        return select(MiningBatch.of(distance, embeddings, labels, refEmbeddings, refLabels)).triplets();
    }

    /**
     * The mined pairs of queries against references under a relation as triplets (a, p, n).
     *
     * @throws IllegalStateException when a strategy is ALL
     */
    public TripletIndices mineTriplets(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        requireTriplets();
        return select(MiningBatch.of(distance, embeddings, refEmbeddings, relation)).triplets();
    }

    /**
     * This miner as a {@link TripletMiner} (for a triplet loss).
     *
     * @throws IllegalStateException when a strategy is ALL
     */
    public TripletMiner asTripletMiner() {
        requireTriplets();
        BatchEasyHardMiner self = this;
        return new TripletMiner() {
            @Override
            public TripletIndices mine(NDArray embeddings, NDArray labels) {
                return self.mineTriplets(embeddings, labels);
            }

            @Override
            public TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings,
                    NDArray refLabels) {
                return self.mineTriplets(embeddings, labels, refEmbeddings, refLabels);
            }

            @Override
            public TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
                return self.mineTriplets(embeddings, refEmbeddings, relation);
            }

            @Override
            public String toString() {
                return self + ".asTripletMiner()";
            }
        };
    }

    private void requireTriplets() {
        if (posStrategy == Strategy.ALL || negStrategy == Strategy.ALL) {
            throw new IllegalStateException("triplets need one positive and one negative per anchor; "
                    + this + " has an ALL strategy: use mine() for its pairs");
        }
    }

    private Selection select(MiningBatch batch) {
        NDArray mat = batch.matrix();
        NDArray pos = batch.masks().positive();
        NDArray neg = batch.masks().negative();
        Choice p = null;
        Choice n = null;
        if (posStrategy == Strategy.SEMIHARD) {
            n = choose(mat, neg, negSmallest(), negRange, null);
            p = choose(mat, pos, posSmallest(), posRange, n.value);
        } else if (negStrategy == Strategy.SEMIHARD) {
            p = choose(mat, pos, posSmallest(), posRange, null);
            n = choose(mat, neg, negSmallest(), negRange, p.value);
        } else {
            if (posStrategy != Strategy.ALL) {
                p = choose(mat, pos, posSmallest(), posRange, null);
            }
            if (negStrategy != Strategy.ALL) {
                n = choose(mat, neg, negSmallest(), negRange, null);
            }
        }
        return new Selection(batch, p, n);
    }

    /** Whether the positive is the smallest value of its row (else the largest). */
    private boolean posSmallest() {
        return (posStrategy == Strategy.EASY) != distance.isInverted();
    }

    /** Whether the negative is the smallest value of its row (else the largest). */
    private boolean negSmallest() {
        return (negStrategy != Strategy.EASY) != distance.isInverted();
    }

    /**
     * Per row, the smallest (or largest) value among the pairs of {@code pairs} inside {@code
     * range} and beyond (or below) the row's {@code threshold}.
     */
    private static Choice choose(NDArray mat, NDArray pairs, boolean smallest, AllowedRange range,
            NDArray threshold) {
        NDArray valid = pairs;
        if (threshold != null) {
            NDArray t = threshold.reshape(-1, 1);
            valid = valid.logicalAnd(smallest ? mat.gt(t) : mat.lt(t));
        }
        if (range != null) {
            valid = valid.logicalAnd(range.contains(mat));
        }
        NDArray filler = NDMath.scalarLike(mat, smallest ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        NDArray masked = NDArrays.where(valid, mat, filler);
        int[] row = {1};
        NDArray value = smallest ? masked.min(row) : masked.max(row);
        NDArray index = (smallest ? masked.argMin(1) : masked.argMax(1)).toType(DataType.INT64, false);
        return new Choice(value, index, NDMath.anyAlong(valid, 1));
    }

    @Override
    public String toString() {
        return "BatchEasyHardMiner(posStrategy=" + posStrategy + ", negStrategy=" + negStrategy
                + (posRange != null ? ", allowedPosRange=" + posRange : "")
                + (negRange != null ? ", allowedNegRange=" + negRange : "")
                + ", distance=" + distance + ")";
    }

    /** Per row: the chosen value and column, and whether the row had a candidate. */
    private record Choice(NDArray value, NDArray index, NDArray found) {

        /** The chosen pairs as a B x M mask, restricted to {@code rows}. */
        NDArray mask(NDArray rows, long width) {
            NDArray cols = index.getManager().arange(width).toType(DataType.INT64, false)
                    .toDevice(index.getDevice(), false);
            return cols.reshape(1, -1).eq(index.reshape(-1, 1)).logicalAnd(rows.reshape(-1, 1));
        }
    }

    /** The positive and negative choices (null for ALL). */
    private record Selection(MiningBatch batch, Choice pos, Choice neg) {

        PairIndices pairs() {
            long m = batch.matrix().getShape().get(1);
            if (pos != null && neg != null) {
                NDArray keep = pos.found.logicalAnd(neg.found);
                return new PairIndices(pos.mask(keep, m), neg.mask(keep, m));
            }
            NDArray posMask = pos == null ? batch.masks().positive() : pos.mask(pos.found, m);
            NDArray negMask = neg == null ? batch.masks().negative() : neg.mask(neg.found, m);
            return new PairIndices(posMask, negMask);
        }

        TripletIndices triplets() {
            NDArray keep = pos.found.logicalAnd(neg.found);
            NDArray anchors = keep.getManager().arange(batch.size()).toType(DataType.INT64, false)
                    .toDevice(keep.getDevice(), false);
            return new TripletIndices(anchors.get(keep), pos.index.get(keep), neg.index.get(keep));
        }
    }

    /** Builder of {@link BatchEasyHardMiner}. */
    public static final class Builder {
        private Strategy posStrategy = DEFAULT_POS_STRATEGY;
        private Strategy negStrategy = DEFAULT_NEG_STRATEGY;
        private AllowedRange posRange;
        private AllowedRange negRange;
        private Distance distance = LpDistance.euclidean();

        private Builder() {}

        /** How the positive is chosen (default EASY). */
        public Builder optPosStrategy(Strategy strategy) {
            this.posStrategy = requireStrategy("posStrategy", strategy);
            return this;
        }

        /** How the negative is chosen (default SEMIHARD). */
        public Builder optNegStrategy(Strategy strategy) {
            this.negStrategy = requireStrategy("negStrategy", strategy);
            return this;
        }

        /** The values a positive pair may have (default: any); ignored by ALL. */
        public Builder optAllowedPosRange(AllowedRange range) {
            this.posRange = range;
            return this;
        }

        /** The values a negative pair may have (default: any); ignored by ALL. */
        public Builder optAllowedNegRange(AllowedRange range) {
            this.negRange = range;
            return this;
        }

        /** The distance or similarity (default L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = java.util.Objects.requireNonNull(distance, "distance");
            return this;
        }

        private static Strategy requireStrategy(String name, Strategy s) {
            if (s == null) {
                throw new IllegalArgumentException(name + " must be one of HARD, SEMIHARD, EASY, ALL, got null");
            }
            return s;
        }

        /**
         * The miner.
         *
         * @throws IllegalArgumentException for SEMIHARD on both sides, or SEMIHARD with ALL
         */
        public BatchEasyHardMiner build() {
            if (posStrategy == Strategy.SEMIHARD && negStrategy == Strategy.SEMIHARD) {
                throw new IllegalArgumentException(
                        "posStrategy and negStrategy cannot both be SEMIHARD (each side's threshold is the other's choice)");
            }
            if ((posStrategy == Strategy.SEMIHARD && negStrategy == Strategy.ALL)
                    || (posStrategy == Strategy.ALL && negStrategy == Strategy.SEMIHARD)) {
                throw new IllegalArgumentException("SEMIHARD cannot be combined with ALL (posStrategy="
                        + posStrategy + ", negStrategy=" + negStrategy + "): ALL chooses no pair to compare with");
            }
            return new BatchEasyHardMiner(this);
        }
    }
}
