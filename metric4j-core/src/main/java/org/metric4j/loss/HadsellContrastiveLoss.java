package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.Normalization;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * The contrastive loss of Hadsell, Chopra and LeCun (CVPR 2006), as DeepID2 uses it:
 * \( L = \frac{1}{2N} \sum_{i \lt j} [\, y_{ij} d_{ij}^2 + (1 - y_{ij}) \max(0, m - d_{ij})^2 ] \)
 * with d the L2 distance of the raw (unnormalized) embeddings and N the number of pairs.
 *
 * <p>Default margin {@value #DEFAULT_MARGIN}.
 */
public final class HadsellContrastiveLoss extends PairRelationLoss {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 1.0;

    private final double margin;

    private HadsellContrastiveLoss(Builder b) {
        super("HadsellContrastiveLoss", LpDistance.of(Normalization.NONE, 2), null);
        this.margin = b.margin;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray squared = batch.matrix();
        NDArray distance = LpDistance.safeSqrt(squared);
        NDArray negTerm = NDMath.relu(distance.neg().add(margin)).square();
        NDArray terms = ai.djl.ndarray.NDArrays.where(batch.positive(), squared, negTerm);
        NDArray pairs = batch.positive().logicalOr(batch.negative());
        // each unordered pair appears twice among the ordered ones: the mean is the same
        return reduce(new MeanReducer(), LossTerms.of(NDMath.div(terms, 2.0), pairs));
    }

    @Override
    public String toString() {
        return "HadsellContrastiveLoss(margin=" + margin + ")";
    }

    /** Builder of {@link HadsellContrastiveLoss}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;

        private Builder() {}

        /** Margin, > 0 (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.positive("margin", margin);
            return this;
        }

        /** The loss. */
        public HadsellContrastiveLoss build() {
            return new HadsellContrastiveLoss(this);
        }
    }
}
