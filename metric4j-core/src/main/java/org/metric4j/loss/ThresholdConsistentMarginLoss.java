package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Threshold-consistent margin loss (Zhang et al. 2023, "Threshold-Consistent Margin Loss for
 * Open-World Deep Metric Learning", arXiv:2307.04047), a regularizer on the cosine similarities
 * s of the ordered pairs i != j: \( \lambda^+ \) times the mean of \( m^+ - s \) over the
 * positive pairs with \( s \le m^+ \), plus \( \lambda^- \) times the mean of \( s - m^- \) over
 * the negative pairs with \( s \ge m^- \); a part without such pairs gives 0.
 *
 * <p>Defaults (PML's {@code ThresholdConsistentMarginLoss}): lambda plus {@value
 * #DEFAULT_LAMBDA_PLUS}, lambda minus {@value #DEFAULT_LAMBDA_MINUS}, margin plus {@value
 * #DEFAULT_MARGIN_PLUS}, margin minus {@value #DEFAULT_MARGIN_MINUS}.
 */
public final class ThresholdConsistentMarginLoss extends PairRelationLoss {

    /** Default weight of the positive part. */
    public static final double DEFAULT_LAMBDA_PLUS = 1.0;
    /** Default weight of the negative part. */
    public static final double DEFAULT_LAMBDA_MINUS = 1.0;
    /** Default similarity below which a positive pair is penalized. */
    public static final double DEFAULT_MARGIN_PLUS = 0.9;
    /** Default similarity above which a negative pair is penalized. */
    public static final double DEFAULT_MARGIN_MINUS = 0.5;

    private final double lambdaPlus;
    private final double lambdaMinus;
    private final double marginPlus;
    private final double marginMinus;

    private ThresholdConsistentMarginLoss(Builder b) {
        super("ThresholdConsistentMarginLoss", CosineSimilarity.create(), null);
        this.lambdaPlus = b.lambdaPlus;
        this.lambdaMinus = b.lambdaMinus;
        this.marginPlus = b.marginPlus;
        this.marginMinus = b.marginMinus;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray s = batch.matrix();
        NDArray below = batch.positive().logicalAnd(s.stopGradient().lte(marginPlus));
        NDArray above = batch.negative().logicalAnd(s.stopGradient().gte(marginMinus));
        NDArray pos = NDMath.mul(s.neg().add(marginPlus), lambdaPlus);
        NDArray neg = NDMath.mul(s.sub(marginMinus), lambdaMinus);
        return reduce(new MeanReducer(), LossTerms.of(pos, below), LossTerms.of(neg, above));
    }

    @Override
    public String toString() {
        return "ThresholdConsistentMarginLoss(lambdaPlus=" + lambdaPlus + ", lambdaMinus=" + lambdaMinus
                + ", marginPlus=" + marginPlus + ", marginMinus=" + marginMinus + ")";
    }

    /** Builder of {@link ThresholdConsistentMarginLoss}. */
    public static final class Builder {
        private double lambdaPlus = DEFAULT_LAMBDA_PLUS;
        private double lambdaMinus = DEFAULT_LAMBDA_MINUS;
        private double marginPlus = DEFAULT_MARGIN_PLUS;
        private double marginMinus = DEFAULT_MARGIN_MINUS;

        private Builder() {}

        /** Weight of the positive part, >= 0 (default {@value #DEFAULT_LAMBDA_PLUS}). */
        public Builder optLambdaPlus(double lambdaPlus) {
            this.lambdaPlus = Inputs.nonNegative("lambdaPlus", lambdaPlus);
            return this;
        }

        /** Weight of the negative part, >= 0 (default {@value #DEFAULT_LAMBDA_MINUS}). */
        public Builder optLambdaMinus(double lambdaMinus) {
            this.lambdaMinus = Inputs.nonNegative("lambdaMinus", lambdaMinus);
            return this;
        }

        /** Cosine in [-1, 1] below which positive pairs are penalized (default {@value #DEFAULT_MARGIN_PLUS}). */
        public Builder optMarginPlus(double marginPlus) {
            this.marginPlus = cosine("marginPlus", marginPlus);
            return this;
        }

        /** Cosine in [-1, 1] above which negative pairs are penalized (default {@value #DEFAULT_MARGIN_MINUS}). */
        public Builder optMarginMinus(double marginMinus) {
            this.marginMinus = cosine("marginMinus", marginMinus);
            return this;
        }

        private static double cosine(String name, double value) {
            if (!(value >= -1 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be a cosine in [-1, 1], got " + value);
            }
            return value;
        }

        /** The loss. */
        public ThresholdConsistentMarginLoss build() {
            return new ThresholdConsistentMarginLoss(this);
        }
    }
}
