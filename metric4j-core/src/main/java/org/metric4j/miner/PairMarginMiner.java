package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;

/**
 * Pairs that violate a margin (PML's {@code PairMarginMiner}): positive pairs farther than
 * {@code posMargin} and negative pairs closer than {@code negMargin} (for a similarity: less
 * similar than {@code posMargin}, more similar than {@code negMargin}).
 *
 * <p>Defaults: pos margin {@value #DEFAULT_POS_MARGIN}, neg margin {@value #DEFAULT_NEG_MARGIN},
 * L2 distance on normalized embeddings.
 */
public final class PairMarginMiner extends MatrixPairMiner {

    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0.2;
    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 0.8;

    private final double posMargin;
    private final double negMargin;
    private final Distance distance;

    private PairMarginMiner(Builder b) {
        super(b.distance);
        this.posMargin = b.posMargin;
        this.negMargin = b.negMargin;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    PairIndices mine(MiningBatch batch) {
        NDArray mat = batch.matrix();
        NDArray hardPos = distance.margin(mat, posMargin).gt(0.0);
        NDArray hardNeg = distance.margin(negMargin, mat).gt(0.0);
        return new PairIndices(
                hardPos.logicalAnd(batch.masks().positive()),
                hardNeg.logicalAnd(batch.masks().negative()));
    }

    @Override
    public String toString() {
        return "PairMarginMiner(posMargin=" + posMargin + ", negMargin=" + negMargin
                + ", distance=" + distance + ")";
    }

    /** Builder of {@link PairMarginMiner}. */
    public static final class Builder {
        private double posMargin = DEFAULT_POS_MARGIN;
        private double negMargin = DEFAULT_NEG_MARGIN;
        private Distance distance = LpDistance.euclidean();

        /** Positive pairs beyond this are kept (default {@value #DEFAULT_POS_MARGIN}). */
        public Builder optPosMargin(double posMargin) {
            this.posMargin = Inputs.finite("posMargin", posMargin);
            return this;
        }

        /** Negative pairs within this are kept (default {@value #DEFAULT_NEG_MARGIN}). */
        public Builder optNegMargin(double negMargin) {
            this.negMargin = Inputs.finite("negMargin", negMargin);
            return this;
        }

        /** The distance (default L2 on normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = distance;
            return this;
        }

        /** The miner. */
        public PairMarginMiner build() {
            return new PairMarginMiner(this);
        }
    }
}
