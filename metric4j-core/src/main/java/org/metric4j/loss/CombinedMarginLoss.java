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
 * <p>Defaults: s {@value #DEFAULT_SCALE}, m1 {@value #DEFAULT_M1}, m2 {@value #DEFAULT_M2}, m3
 * {@value #DEFAULT_M3} (InsightFace's combined setting).
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

    /** The loss with the defaults. */
    public CombinedMarginLoss() {
        this(DEFAULT_SCALE, DEFAULT_M1, DEFAULT_M2, DEFAULT_M3);
    }

    /** The loss with explicit scale and margins. */
    public CombinedMarginLoss(double scale, double m1, double m2, double m3) {
        super("CombinedMarginLoss");
        this.scale = Inputs.positive("scale", scale);
        this.m1 = Inputs.positive("m1", m1);
        this.m2 = Inputs.nonNegative("m2", m2);
        this.m3 = Inputs.nonNegative("m3", m3);
        if (m2 >= Math.PI / 2) {
            throw new IllegalArgumentException("m2 must be in [0, pi/2) radians, got " + m2);
        }
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
}
