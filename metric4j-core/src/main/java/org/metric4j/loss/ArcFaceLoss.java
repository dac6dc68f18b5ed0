package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.ScheduledParameter;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.math.NDMath;

/**
 * ArcFace, additive angular margin (Deng et al. 2019, arXiv:1801.07698): target logit
 * \( s\cos(\theta_y + m) \), others \( s\cos\theta_j \).
 *
 * <p>Where \( \theta + m > \pi \) the target is no longer monotonic in theta; the {@link
 * Fallback} decides: {@link Fallback#MONOTONE} (the default) uses \( \cos\theta - m\sin m \)
 * where \( \cos\theta \le \cos(\pi - m) \), as pytorch-metric-learning 2.8.1's {@code
 * ArcFaceLoss} does (and InsightFace's code before arcface_torch dropped it); {@link Fallback#NONE}
 * keeps \( \cos(\theta + m) \) everywhere, as InsightFace's arcface_torch at 7fadd420 does; {@link
 * Fallback#EASY_MARGIN} applies the margin only where \( \cos\theta > 0 \). The target cosines are
 * clamped to \( [-1 + 10^{-7}, 1 - 10^{-7}] \) before acos, so cos = +-1 gives finite values and
 * gradients; the other cosines enter the softmax as they are, as in PML (InsightFace's code before
 * arcface_torch clamped every cosine to [-1, 1]).
 * {@code MarginHeadThresholdTest} pins each option against both references past pi.
 *
 * <p>Defaults are PML's: scale {@value #DEFAULT_SCALE} (InsightFace's too), margin
 * {@value #DEFAULT_MARGIN_DEGREES} degrees = 0.4992 radians (InsightFace uses 0.5), fallback
 * MONOTONE. The margin is in radians and must lie in [0, pi/2) at every iteration, also when it
 * follows a schedule.
 */
public final class ArcFaceLoss extends MarginSoftmaxLoss {

    /** Default scale. */
    public static final double DEFAULT_SCALE = 64;
    /** Default margin in degrees, PML's. */
    public static final double DEFAULT_MARGIN_DEGREES = 28.6;
    /** Default margin in radians, PML's 28.6 degrees. */
    public static final double DEFAULT_MARGIN = Math.toRadians(DEFAULT_MARGIN_DEGREES);

    /** What to do where theta + m exceeds pi. */
    public enum Fallback {
        /** Keep cos(theta + m) everywhere (InsightFace's arcface_torch at 7fadd420). */
        NONE,
        /**
         * cos(theta) - m sin(m) where {@code cos(theta) <= cos(pi - m)}, so that the target keeps
         * falling as theta grows (PML 2.8.1; InsightFace's code before arcface_torch dropped it).
         */
        MONOTONE,
        /** Margin only where cos(theta) > 0. */
        EASY_MARGIN
    }

    private final double scale;
    private final ScheduledParameter margin;
    private final Fallback fallback;

    private ArcFaceLoss(Builder b) {
        super("ArcFaceLoss");
        this.scale = b.scale;
        this.margin = b.margin;
        this.fallback = b.fallback;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The margin (radians) at the clock's current iteration. */
    public double currentMargin() {
        return margin.value();
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        double m = currentMargin();
        NDArray clamped = clamp(targetCosine);
        NDArray cos = fallback == Fallback.MONOTONE ? clamped : targetCosine;
        NDArray withMargin = clamped.acos().add(m).cos();
        switch (fallback) {
            case MONOTONE:
                return NDArrays.where(cos.gt(Math.cos(Math.PI - m)), withMargin,
                        cos.sub(m * Math.sin(Math.PI - m)));
            case EASY_MARGIN:
                return NDArrays.where(cos.gt(0.0), withMargin, cos);
            default:
                return withMargin;
        }
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        return NDMath.mul(logits, scale);
    }

    @Override
    public String toString() {
        return "ArcFaceLoss(scale=" + scale + ", margin=" + margin + ", fallback=" + fallback + ")";
    }

    /** Builder of {@link ArcFaceLoss}. */
    public static final class Builder {
        private double scale = DEFAULT_SCALE;
        private ScheduledParameter margin =
                ScheduledParameter.constant(NAME, DEFAULT_MARGIN, Builder::validMargin, RANGE);
        private Fallback fallback = Fallback.MONOTONE;

        /** Scale s (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        /** Angular margin m in radians, in [0, pi/2) (default {@value #DEFAULT_MARGIN_DEGREES} degrees, {@link #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = ScheduledParameter.constant(NAME, checkMargin(margin), Builder::validMargin, RANGE);
            return this;
        }

        /**
         * A margin schedule (radians) over iterations (warm-up), in [0, pi/2) at every iteration: a
         * value outside it fails the step that reads it.
         */
        public Builder optMargin(Schedule margin, TrainingClock clock) {
            this.margin = ScheduledParameter.of(NAME, margin, clock, Builder::validMargin, RANGE);
            return this;
        }

        /** The fallback where theta + m > pi (default MONOTONE, as PML). */
        public Builder optFallback(Fallback fallback) {
            this.fallback = fallback;
            return this;
        }

        /** The loss. */
        public ArcFaceLoss build() {
            return new ArcFaceLoss(this);
        }

        private static final String NAME = "ArcFaceLoss margin";
        private static final String RANGE = "[0, pi/2) radians";

        private static boolean validMargin(double m) {
            return m >= 0 && m < Math.PI / 2;
        }

        static double checkMargin(double margin) {
            if (!validMargin(margin)) {
                throw new IllegalArgumentException(
                        "margin must be in [0, pi/2) radians, got " + margin
                                + (margin >= Math.PI / 2 && margin < 90 ? " (degrees?)" : ""));
            }
            return margin;
        }
    }
}
