package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.NDMath;

/**
 * The hardest fraction of the pairs (Yuan et al. 2017, "Hard-Aware Deeply Cascaded Embedding",
 * arXiv:1611.05720; PML's {@code HDCMiner}): of the P positive pairs of the batch the \( \lceil f
 * P \rceil \) farthest, of the N negative pairs the \( \lceil f N \rceil \) closest (for a
 * similarity: the least and the most similar). Ties at the cut are broken as torch's {@code
 * topk} breaks them over the pairs in row-major order.
 *
 * <p>Defaults (PML's): filter percentage {@value #DEFAULT_FILTER_PERCENTAGE}, L2 distance on
 * normalized embeddings.
 */
public final class HDCMiner extends MatrixPairMiner {

    /** Default fraction of the pairs kept. */
    public static final double DEFAULT_FILTER_PERCENTAGE = 0.5;

    private final double filterPercentage;
    private final Distance distance;

    private HDCMiner(Builder b) {
        super(b.distance);
        this.filterPercentage = b.filterPercentage;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    PairIndices mine(MiningBatch batch) {
        NDArray mat = batch.matrix();
        boolean inverted = distance.isInverted();
        return new PairIndices(
                hardest(mat, batch.masks().positive(), !inverted),
                hardest(mat, batch.masks().negative(), inverted));
    }

    /** The {@code ceil(f * count)} pairs of {@code pairs} with the largest (or smallest) values. */
    private NDArray hardest(NDArray mat, NDArray pairs, boolean largest) {
        long count = NDMath.count(pairs);
        int k = (int) Math.ceil(filterPercentage * count);
        if (count == 0 || k == count) {
            return pairs;
        }
        NDArray flat = pairs.reshape(-1).nonzero().reshape(-1).toType(DataType.INT64, false);
        NDArray values = mat.reshape(-1).get(flat);
        NDArray top = values.topK(k, 0, largest, true).get(1).toType(DataType.INT64, false);
        NDArray chosen = flat.get(top);
        NDArray marks = mat.zerosLike().reshape(-1).scatter(chosen, NDMath.scalarLike(mat, 1.0)
                .broadcast(k), 0);
        return marks.gt(0.0).reshape(pairs.getShape());
    }

    @Override
    public String toString() {
        return "HDCMiner(filterPercentage=" + filterPercentage + ", distance=" + distance + ")";
    }

    /** Builder of {@link HDCMiner}. */
    public static final class Builder {
        private double filterPercentage = DEFAULT_FILTER_PERCENTAGE;
        private Distance distance = LpDistance.euclidean();

        private Builder() {}

        /**
         * The fraction f of the positive and of the negative pairs kept, in (0, 1] (default
         * {@value #DEFAULT_FILTER_PERCENTAGE}).
         */
        public Builder optFilterPercentage(double filterPercentage) {
            if (!(filterPercentage > 0 && filterPercentage <= 1)) {
                throw new IllegalArgumentException(
                        "filterPercentage must be in (0, 1] (a fraction, not a percent), got " + filterPercentage);
            }
            this.filterPercentage = filterPercentage;
            return this;
        }

        /** The distance or similarity (default L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = java.util.Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The miner. */
        public HDCMiner build() {
            return new HDCMiner(this);
        }
    }
}
