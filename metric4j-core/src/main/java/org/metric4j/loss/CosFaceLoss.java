package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.ScheduledParameter;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.math.NDMath;

/**
 * AM-Softmax / CosFace (Wang et al. 2018, arXiv:1801.05599 and arXiv:1801.09414): target logit
 * \( s(\cos\theta_{y} - m) \), others \( s\cos\theta_j \).
 *
 * <p>Defaults (PML's {@code CosFaceLoss}; InsightFace uses m = 0.4): scale s = {@value
 * #DEFAULT_SCALE}, margin m = {@value #DEFAULT_MARGIN}. The margin may follow a {@link Schedule} (warm-up) read at the
 * iteration of a {@link TrainingClock}. {@link org.metric4j.head.MarginAdvisor} gives the bounds on s and m.
 */
public final class CosFaceLoss extends MarginSoftmaxLoss {

    /** Default scale. */
    public static final double DEFAULT_SCALE = 64;
    /** Default margin. */
    public static final double DEFAULT_MARGIN = 0.35;

    private final double scale;
    private final ScheduledParameter margin;

    private CosFaceLoss(Builder b) {
        super("CosFaceLoss");
        this.scale = b.scale;
        this.margin = b.margin;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The margin at the clock's current iteration. */
    public double currentMargin() {
        return margin.value();
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        return targetCosine.sub(currentMargin());
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        return NDMath.mul(logits, scale);
    }

    @Override
    public String toString() {
        return "CosFaceLoss(scale=" + scale + ", margin=" + margin + ")";
    }

    /** Builder of {@link CosFaceLoss}. */
    public static final class Builder {
        private double scale = DEFAULT_SCALE;
        private ScheduledParameter margin = ScheduledParameter.constant(NAME, DEFAULT_MARGIN, Builder::validMargin, RANGE);

        /** Scale s (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        /** Cosine margin m in [0, 1) (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            if (!validMargin(margin)) {
                throw new IllegalArgumentException("margin must be in [0, 1), got " + margin);
            }
            this.margin = ScheduledParameter.constant(NAME, margin, Builder::validMargin, RANGE);
            return this;
        }

        /**
         * A margin schedule over iterations (warm-up), in [0, 1) at every iteration: a value outside
         * it fails the step that reads it.
         */
        public Builder optMargin(Schedule margin, TrainingClock clock) {
            this.margin = ScheduledParameter.of(NAME, margin, clock, Builder::validMargin, RANGE);
            return this;
        }

        private static final String NAME = "CosFaceLoss margin";
        private static final String RANGE = "[0, 1)";

        private static boolean validMargin(double m) {
            return m >= 0 && m < 1;
        }

        /** The loss. */
        public CosFaceLoss build() {
            return new CosFaceLoss(this);
        }
    }
}
