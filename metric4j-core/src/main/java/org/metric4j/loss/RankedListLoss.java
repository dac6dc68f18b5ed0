package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Objects;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Ranked list loss (Wang et al. 2019, arXiv:1903.03238; PML's {@code RankedListLoss}). With the
 * distances \( d_{ij} \) (diagonal set to 0), the positives j of anchor i (same label, j != i)
 * with \( d_{ij} \gt \alpha - m \) get the weight \( w_{ij} = e^{T_p (d_{ij} - (\alpha - m))} \),
 * the negatives with \( 0 \lt d_{ij} \lt \alpha \) the weight \( w_{ij} = e^{T_n (\alpha -
 * d_{ij})} \), every other pair 0;
 * \( L_P(i) = \sum_j w_{ij} (d_{ij} - (\alpha - m)) / \sum_j (w_{ij} + \epsilon) \) over the
 * positives, \( L_N(i) \) likewise with \( \alpha - d_{ij} \) over the negatives, and the term of
 * anchor i is \( (1 - \lambda) L_P(i) + \lambda L_N(i) \), reduced over all B anchors.
 *
 * <p>As in PML, \( \epsilon = 10^{-5} \) is added for every one of the B columns of a row, zero
 * weights included (the denominator is \( \sum_j w_{ij} + 10^{-5} B \)), and the weights carry
 * gradients. An anchor without a selected pair has the term 0.
 *
 * <p>Defaults (PML's; margin m and T_n have none and must be set): imbalance lambda {@value
 * #DEFAULT_IMBALANCE}, alpha \( 1 + m / 2 \), T_p {@value #DEFAULT_TP} (RLL-Simpler: unit
 * positive weights), L2 distance of L2-normalized embeddings, {@link MeanReducer} over anchors.
 * No miner (PML does not support one).
 */
public final class RankedListLoss extends MetricLoss {

    /** Default imbalance lambda. */
    public static final double DEFAULT_IMBALANCE = 0.5;
    /** Default positive temperature. */
    public static final double DEFAULT_TP = 0;
    /** What PML adds per column to the weight sums. */
    public static final double WEIGHT_EPSILON = 1e-5;

    private final double margin;
    private final double tn;
    private final double imbalance;
    private final double alpha;
    private final double tp;
    private final Distance distance;
    private final Reducer reducer;

    private RankedListLoss(Builder b) {
        super("RankedListLoss");
        this.margin = b.margin;
        this.tn = b.tn;
        this.imbalance = b.imbalance;
        this.alpha = Double.isNaN(b.alpha) ? 1 + b.margin / 2 : b.alpha;
        this.tp = b.tp;
        this.distance = b.distance;
        this.reducer = b.reducer;
    }

    /** A builder; {@link Builder#setMargin} and {@link Builder#setTn} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The effective alpha (\( 1 + m / 2 \) unless set). */
    public double alpha() {
        return alpha;
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long n = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, n);
        PairMasks masks = PairMasks.of(y);
        NDArray offDiagonal = PairMasks.eye(y.getManager(), n).logicalNot();
        NDArray mat = distance.matrix(embeddings);
        mat = mat.mul(NDMath.asFloat(offDiagonal, mat));
        double lower = alpha - margin;
        NDArray positive = masks.positive().logicalAnd(mat.gt(lower)).logicalAnd(mat.gt(0.0));
        NDArray negative = masks.negative().logicalAnd(mat.lt(alpha)).logicalAnd(mat.gt(0.0));
        NDArray zero = mat.zerosLike();
        // hinge parts d - (alpha - m) and alpha - d, 0 outside the selection (so exp never overflows there)
        NDArray posGap = NDArrays.where(positive, NDMath.constant(mat, -lower).add(mat), zero);
        NDArray negGap = NDArrays.where(negative, NDMath.constant(mat, alpha).sub(mat), zero);
        NDArray wp = NDArrays.where(positive, NDMath.mul(posGap, tp).exp(), zero);
        NDArray wn = NDArrays.where(negative, NDMath.mul(negGap, tn).exp(), zero);
        NDArray pad = NDMath.constant(mat, WEIGHT_EPSILON * n);
        int[] cols = {1};
        NDArray lossP = wp.mul(posGap).sum(cols).div(wp.sum(cols).add(pad));
        NDArray lossN = wn.mul(negGap).sum(cols).div(wn.sum(cols).add(pad));
        NDArray perAnchor = NDMath.mul(lossP, 1 - imbalance).add(NDMath.mul(lossN, imbalance));
        return reduce(reducer, LossTerms.of(perAnchor)
                .withSelection(positive.logicalOr(negative)));
    }

    @Override
    public String toString() {
        return "RankedListLoss(margin=" + margin + ", Tn=" + tn + ", imbalance=" + imbalance
                + ", alpha=" + alpha + ", Tp=" + tp + ", distance=" + distance + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link RankedListLoss}. */
    public static final class Builder {
        private double margin = Double.NaN;
        private double tn = Double.NaN;
        private double imbalance = DEFAULT_IMBALANCE;
        private double alpha = Double.NaN;
        private double tp = DEFAULT_TP;
        private Distance distance = LpDistance.euclidean();
        private Reducer reducer = new MeanReducer();

        private Builder() {}

        /** The margin m between the positive and the negative boundary, {@code >= 0} (required). */
        public Builder setMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** The negative temperature T_n (required). */
        public Builder setTn(double tn) {
            this.tn = Inputs.finite("Tn", tn);
            return this;
        }

        /** The imbalance lambda between the two sets, in [0, 1] (default {@value #DEFAULT_IMBALANCE}). */
        public Builder optImbalance(double imbalance) {
            if (!(imbalance >= 0 && imbalance <= 1)) {
                throw new IllegalArgumentException("imbalance must be in [0, 1], got " + imbalance);
            }
            this.imbalance = imbalance;
            return this;
        }

        /** The negative boundary alpha (default \( 1 + m / 2 \)). */
        public Builder optAlpha(double alpha) {
            this.alpha = Inputs.finite("alpha", alpha);
            return this;
        }

        /** The positive temperature T_p (default {@value #DEFAULT_TP}: unit positive weights). */
        public Builder optTp(double tp) {
            this.tp = Inputs.finite("Tp", tp);
            return this;
        }

        /** The distance, not a similarity (default L2 of L2-normalized embeddings). */
        public Builder optDistance(Distance distance) {
            if (Objects.requireNonNull(distance, "distance").isInverted()) {
                throw new IllegalArgumentException(
                        "distance must be a distance, not a similarity, for RankedListLoss, got " + distance);
            }
            this.distance = distance;
            return this;
        }

        /** The reducer of the per-anchor terms (default {@link MeanReducer}). */
        public Builder optReducer(Reducer reducer) {
            this.reducer = Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /** The loss; throws when the margin or T_n is missing. */
        public RankedListLoss build() {
            if (Double.isNaN(margin)) {
                throw new IllegalArgumentException("margin is required for RankedListLoss (PML has no default),"
                        + " got none: call setMargin");
            }
            if (Double.isNaN(tn)) {
                throw new IllegalArgumentException("Tn is required for RankedListLoss (PML has no default),"
                        + " got none: call setTn");
            }
            return new RankedListLoss(this);
        }
    }
}
