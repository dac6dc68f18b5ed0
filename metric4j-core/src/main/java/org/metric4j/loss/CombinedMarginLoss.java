package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * The combined margin of InsightFace (Deng et al. 2019, arXiv:1801.07698, sec. 3.3): target logit
 * \( s(\cos(m_1\theta_y + m_2) - m_3) \), others \( s\cos\theta_j \). m1 is SphereFace's
 * multiplicative angular margin, m2 ArcFace's additive angular margin, m3 CosFace's cosine
 * margin; no fallback where the target is not monotonic.
 *
 * <p>Defaults (InsightFace's combined setting; PML has no combined margin): s {@value
 * #DEFAULT_SCALE}, m1 {@value #DEFAULT_M1}, m2 {@value #DEFAULT_M2} radians, m3 {@value
 * #DEFAULT_M3}. {@code optM1(1).optM2(0.5).optM3(0)} is ArcFace, {@code optM1(1).optM2(0)
 * .optM3(0.35)} CosFace.
 *
 * <p>Where \( m_1\theta + m_2 > \pi \) there is no fallback: the target logit stays
 * \( s(\cos(m_1\theta + m_2) - m_3) \), which past that point rises again as the sample moves
 * away from its class; the margin can even become a bonus (for (1.35, 0.25, 0.1) at theta = 2.9
 * the target is above cos theta). With m1 = 1 and m3 = 0 this equals InsightFace's arcface_torch
 * at 7fadd420 ({@code losses.py}), which computes cos(theta + m2) without a fallback; that code
 * takes the value under {@code no_grad}, so its gradient is that of the unmargined cosine, while
 * ours is the exact derivative of the value. arcface_torch does not compute the general formula:
 * with m3 > 0 it subtracts m3 only and ignores m1 and m2, and with m1 != 1 and m3 = 0 it raises.
 * For ArcFace's monotone fallback, \( \cos\theta - m\sin m \) (pytorch-metric-learning 2.8.1),
 * use {@link ArcFaceLoss} with {@link ArcFaceLoss.Fallback#MONOTONE}. {@code
 * MarginHeadThresholdTest} pins these values.
 */
public final class CombinedMarginLoss extends MarginSoftmaxLoss {

    /** Default scale. */
    public static final double DEFAULT_SCALE = 64;
    /** Default multiplicative margin. */
    public static final double DEFAULT_M1 = 1.0;
    /** Default additive angular margin (radians). */
    public static final double DEFAULT_M2 = 0.3;
    /** Default cosine margin. */
    public static final double DEFAULT_M3 = 0.2;

    private final double scale;
    private final double m1;
    private final double m2;
    private final double m3;

    private CombinedMarginLoss(Builder b) {
        super("CombinedMarginLoss");
        this.scale = b.scale;
        this.m1 = b.m1;
        this.m2 = b.m2;
        this.m3 = b.m3;
    }

    /** A builder with InsightFace's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        return NDMath.mul(angle(targetCosine), m1).add(m2).cos().sub(m3);
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        return NDMath.mul(logits, scale);
    }

    @Override
    public String toString() {
        return "CombinedMarginLoss(scale=" + scale + ", m1=" + m1 + ", m2=" + m2 + ", m3=" + m3 + ")";
    }

    /** Builder of {@link CombinedMarginLoss}. */
    public static final class Builder {
        private double scale = DEFAULT_SCALE;
        private double m1 = DEFAULT_M1;
        private double m2 = DEFAULT_M2;
        private double m3 = DEFAULT_M3;

        private Builder() {}

        /** The scale s, {@code > 0} (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        /** The multiplicative angular margin m1, {@code > 0} (default {@value #DEFAULT_M1}). */
        public Builder optM1(double m1) {
            this.m1 = Inputs.positive("m1", m1);
            return this;
        }

        /** The additive angular margin m2 in radians, in [0, pi/2) (default {@value #DEFAULT_M2}). */
        public Builder optM2(double m2) {
            if (!(m2 >= 0 && m2 < Math.PI / 2)) {
                throw new IllegalArgumentException("m2 must be in [0, pi/2) radians, got " + m2
                        + (m2 >= Math.PI / 2 && m2 < 90 ? " (degrees?)" : ""));
            }
            this.m2 = m2;
            return this;
        }

        /** The cosine margin m3, {@code >= 0} (default {@value #DEFAULT_M3}). */
        public Builder optM3(double m3) {
            this.m3 = Inputs.nonNegative("m3", m3);
            return this;
        }

        /** The loss. */
        public CombinedMarginLoss build() {
            return new CombinedMarginLoss(this);
        }
    }
}
