package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.math.NDMath;

/**
 * ArcFace, additive angular margin (Deng et al. 2019, arXiv:1801.07698): target logit
 * \( s\cos(\theta_y + m) \), others \( s\cos\theta_j \).
 *
 * <p>Where \( \theta + m > \pi \) the target is no longer monotonic in theta; the {@link
 * Fallback} decides: {@link Fallback#NONE} keeps \( \cos(\theta + m) \) (pytorch-metric-learning's
 * {@code ArcFaceLoss}); {@link Fallback#INSIGHTFACE} uses \( \cos\theta - m\sin(\pi - m) \) when
 * \( \cos\theta \le \cos(\pi - m) \) (the official code); {@link Fallback#EASY_MARGIN} applies the
 * margin only where \( \cos\theta > 0 \). Cosines are clamped to \( [-1 + 10^{-7}, 1 - 10^{-7}] \)
 * before acos, so cos = +-1 gives finite values and gradients.
 *
 * <p>Defaults: scale {@value #DEFAULT_SCALE} (PML's and InsightFace's), margin {@value
 * #DEFAULT_MARGIN} radians (InsightFace's 0.5; PML's default is 28.6 degrees = 0.4992 radians,
 * kept at 0.5 so that existing results do not move), fallback NONE (PML's). The margin is in
 * radians and must lie in [0, pi/2).
 */
public final class ArcFaceLoss extends MarginSoftmaxLoss {

    /** Default scale. */
    public static final double DEFAULT_SCALE = 64;
    /** Default margin, radians. */
    public static final double DEFAULT_MARGIN = 0.5;

    /** What to do where theta + m exceeds pi. */
    public enum Fallback {
        /** Keep cos(theta + m) (PML). */
        NONE,
        /** cos(theta) - m sin(pi - m) when {@code cos(theta) <= cos(pi - m)} (InsightFace). */
        INSIGHTFACE,
        /** Margin only where cos(theta) > 0. */
        EASY_MARGIN
    }

    private final double scale;
    private final Schedule margin;
    private final TrainingClock clock;
    private final Fallback fallback;

    private ArcFaceLoss(Builder b) {
        super("ArcFaceLoss");
        this.scale = b.scale;
        this.margin = b.margin;
        this.clock = b.clock;
        this.fallback = b.fallback;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The margin (radians) at the clock's current iteration. */
    public double currentMargin() {
        return margin.valueAt(clock.iteration());
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        double m = currentMargin();
        NDArray cos = fallback == Fallback.INSIGHTFACE ? clamp(targetCosine) : targetCosine;
        NDArray withMargin = angle(targetCosine).add(m).cos();
        switch (fallback) {
            case INSIGHTFACE:
                return NDArrays.where(cos.gt(Math.cos(Math.PI - m)), withMargin,
                        cos.sub(m * Math.sin(Math.PI - m)));
            case EASY_MARGIN:
                return NDArrays.where(cos.gt(0.0), withMargin, cos);
            default:
                return withMargin;
        }
    }

    @Override
    protected NDArray nonTargetLogits(NDArray cos) {
        return fallback == Fallback.INSIGHTFACE ? clamp(cos) : cos;
    }

    private static NDArray clamp(NDArray cos) {
        return cos.clip(-1 + CLAMP_EPS, 1 - CLAMP_EPS);
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
        private Schedule margin = Schedule.constant(DEFAULT_MARGIN);
        private TrainingClock clock = new TrainingClock();
        private Fallback fallback = Fallback.NONE;

        /** Scale s (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        /** Angular margin m in radians, in [0, pi/2) (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Schedule.constant(checkMargin(margin));
            return this;
        }

        /** A margin schedule (radians) over iterations (warm-up). */
        public Builder optMargin(Schedule margin, TrainingClock clock) {
            checkMargin(margin.valueAt(0));
            this.margin = margin;
            this.clock = clock;
            return this;
        }

        /** The fallback where theta + m > pi (default NONE, as PML). */
        public Builder optFallback(Fallback fallback) {
            this.fallback = fallback;
            return this;
        }

        /** The loss. */
        public ArcFaceLoss build() {
            return new ArcFaceLoss(this);
        }

        static double checkMargin(double margin) {
            if (!(margin >= 0 && margin < Math.PI / 2)) {
                throw new IllegalArgumentException(
                        "margin must be in [0, pi/2) radians, got " + margin
                                + (margin >= Math.PI / 2 && margin < 90 ? " (degrees?)" : ""));
            }
            return margin;
        }
    }
}
