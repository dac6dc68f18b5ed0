package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.NDMath;

/**
 * Batch-hard mining (Hermans et al. 2017, "In Defense of the Triplet Loss", arXiv:1703.07737):
 * for every anchor that has a positive and a negative, the farthest positive and the closest
 * negative. Distance default: L2 on normalized embeddings (PML's {@code BatchHardMiner}).
 */
public final class BatchHardMiner extends MatrixTripletMiner {

    private final Distance distance;

    private BatchHardMiner(Builder b) {
        super(b.distance);
        this.distance = b.distance;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    TripletIndices mine(MiningBatch batch) {
        NDArray mat = batch.matrix();
        NDArray pos = batch.masks().positive();
        NDArray neg = batch.masks().negative();
        NDArray posInf = NDMath.scalarLike(mat, Double.POSITIVE_INFINITY);
        NDArray negInf = NDMath.scalarLike(mat, Double.NEGATIVE_INFINITY);
        NDArray hardPos;
        NDArray hardNeg;
        if (distance.isInverted()) {
            hardPos = NDArrays.where(pos, mat, posInf).argMin(1);
            hardNeg = NDArrays.where(neg, mat, negInf).argMax(1);
        } else {
            hardPos = NDArrays.where(pos, mat, negInf).argMax(1);
            hardNeg = NDArrays.where(neg, mat, posInf).argMin(1);
        }
        NDArray keep = NDMath.anyAlong(pos, 1).logicalAnd(NDMath.anyAlong(neg, 1));
        NDArray anchors = mat.getManager().arange(batch.size()).toType(DataType.INT64, false)
                .toDevice(mat.getDevice(), false);
        return new TripletIndices(
                anchors.get(keep),
                hardPos.toType(DataType.INT64, false).get(keep),
                hardNeg.toType(DataType.INT64, false).get(keep));
    }

    @Override
    public String toString() {
        return "BatchHardMiner(distance=" + distance + ")";
    }

    /** Builder of {@link BatchHardMiner}. */
    public static final class Builder {
        private Distance distance = LpDistance.euclidean();

        private Builder() {}

        /** The distance (default: L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = java.util.Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The miner. */
        public BatchHardMiner build() {
            return new BatchHardMiner(this);
        }
    }
}
