package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Triplets selected by how well they already satisfy the margin (PML's {@code
 * TripletMarginMiner}; FaceNet's semi-hard mining, Schroff et al. 2015, arXiv:1503.03832).
 *
 * <p>With \( t = d_{an} - d_{ap} \) (for a similarity, \( s_{ap} - s_{an} \)):
 *
 * <ul>
 *   <li>{@link Type#ALL}: \( t \le m \) (every triplet that violates the margin),
 *   <li>{@link Type#HARD}: \( t \le \min(m, 0) \) (the negative is at least as close as the
 *       positive),
 *   <li>{@link Type#SEMIHARD}: \( 0 \lt t \le m \),
 *   <li>{@link Type#EASY}: \( t > m \).
 * </ul>
 *
 * <p>Defaults: margin {@value #DEFAULT_MARGIN}, type ALL, L2 distance on normalized embeddings.
 * Memory is O(P x B) for P positive pairs, never B^3.
 */
public final class TripletMarginMiner extends MatrixTripletMiner {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 0.2;

    /** Which triplets to keep. */
    public enum Type {
        /** Triplets with {@code t <= margin}. */
        ALL,
        /** Triplets with {@code t <= 0}. */
        HARD,
        /** Triplets with {@code 0 < t <= margin}. */
        SEMIHARD,
        /** Triplets with t > margin. */
        EASY
    }

    private final double margin;
    private final Type type;
    private final Distance distance;

    private TripletMarginMiner(Builder b) {
        super(b.distance);
        this.margin = b.margin;
        this.type = b.type;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    TripletIndices mine(MiningBatch batch) {
        NDArray mat = batch.matrix();
        NDArray pairs = batch.masks().positive().nonzero().toType(DataType.INT64, false);
        if (pairs.getShape().get(0) == 0) {
            NDArray empty = mat.getManager().zeros(new ai.djl.ndarray.types.Shape(0), DataType.INT64,
                    mat.getDevice());
            return new TripletIndices(empty, empty, empty);
        }
        NDArray a = pairs.get(new NDIndex(":, 0"));
        NDArray p = pairs.get(new NDIndex(":, 1"));
        NDArray ap = NDMath.takePairs(mat, a, p).reshape(-1, 1);
        NDArray an = NDMath.takeRows(mat, a);
        NDArray t = distance.margin(an, ap);
        NDArray keep;
        switch (type) {
            case EASY:
                keep = t.gt(margin);
                break;
            case HARD:
                keep = t.lte(margin).logicalAnd(t.lte(0.0));
                break;
            case SEMIHARD:
                keep = t.lte(margin).logicalAnd(t.gt(0.0));
                break;
            default:
                keep = t.lte(margin);
        }
        keep = keep.logicalAnd(NDMath.takeRows(batch.masks().negative(), a));
        NDArray hits = keep.nonzero().toType(DataType.INT64, false);
        NDArray row = hits.get(new NDIndex(":, 0"));
        return new TripletIndices(
                a.get(new NDIndex("{}", row)),
                p.get(new NDIndex("{}", row)),
                hits.get(new NDIndex(":, 1")));
    }

    @Override
    public String toString() {
        return "TripletMarginMiner(margin=" + margin + ", type=" + type + ", distance=" + distance
                + ")";
    }

    /** Builder of {@link TripletMarginMiner}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;
        private Type type = Type.ALL;
        private Distance distance = LpDistance.euclidean();

        /** The margin m (default {@value #DEFAULT_MARGIN}); may be negative as in PML. */
        public Builder optMargin(double margin) {
            this.margin = Inputs.finite("margin", margin);
            return this;
        }

        /** Which triplets to keep (default ALL). */
        public Builder optType(Type type) {
            if (type == null) {
                throw new IllegalArgumentException("type must be one of ALL, HARD, SEMIHARD, EASY, got null");
            }
            this.type = type;
            return this;
        }

        /** The distance (default L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = distance;
            return this;
        }

        /** The miner. */
        public TripletMarginMiner build() {
            return new TripletMarginMiner(this);
        }
    }
}
