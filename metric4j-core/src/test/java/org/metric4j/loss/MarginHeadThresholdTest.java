package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.loss.HeadTestSupport.logSumExp;
import static org.metric4j.loss.HeadTestSupport.valueOf;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.metric4j.loss.ArcFaceLoss.Fallback;
import org.metric4j.loss.HeadCatalog.HeadLoss;
import org.metric4j.loss.HeadTestSupport.Problem;

/**
 * What each option does where the margined angle passes pi (issue #12 part 8): one embedding at
 * angle theta from its class weight e0 in the plane (e0, e2) (W = [e0, e1], D = 3, C = 2, so
 * the other cosine is 0),
 * float64, scale 8, against the two references users migrate from:
 * <ul>
 *   <li>pytorch-metric-learning 2.8.1 {@code ArcFaceLoss}: \( \cos(\theta + m) \) while
 *       \( \theta \le \pi - m \), else \( \cos\theta - m\sin m \);</li>
 *   <li>InsightFace arcface_torch at 7fadd420 (the fixtures' commit), {@code losses.py}: {@code
 *       ArcFace} and {@code CombinedMarginLoss} with m1 = 1, m3 = 0 take
 *       \( \cos(\theta + m_2) \) without fallback (under {@code no_grad}, so its gradient is
 *       that of the unmargined logit); with m3 > 0 {@code CombinedMarginLoss} subtracts m3 only
 *       (m1 and m2 are ignored); m1 != 1 with m3 = 0 raises.</li>
 * </ul>
 * Pinned here: {@link Fallback#NONE} follows arcface_torch, not PML; {@link Fallback#MONOTONE}
 * (the default) follows PML 2.8.1 (and arcface_torch
 * before 657ae30e); {@link CombinedMarginLoss} has no fallback: with m1 = 1, m3 = 0 it equals
 * arcface_torch, with m1 != 1 or m3 > 0 it follows the paper's formula, which arcface_torch does
 * not compute.
 */
class MarginHeadThresholdTest {

    private static final double S = 8;
    private static final double M = 0.5;
    private static final double TOL = 1e-12;

    /** The loss of one row at angle theta from its class (label 0). */
    private static double loss(HeadLoss f, double theta) {
        Problem p = new Problem(new double[] {Math.cos(theta), 0, Math.sin(theta)}, 1, 3,
                new double[] {1, 0, 0, 1, 0, 0}, 2, new long[] {0});
        try (NDManager m = NDManager.newBaseManager()) {
            return valueOf(m, f, p, DataType.FLOAT64);
        }
    }

    /** Cross entropy of the target logit s t against the other logit 0 (cosine 0). */
    private static double ce(double target, double theta) {
        return logSumExp(S * target, 0) - S * target;
    }

    /** PML 2.8.1 ArcFaceLoss.modify_cosine_of_target_classes. */
    private static double pml281(double theta, double m) {
        return theta <= Math.PI - m ? Math.cos(theta + m) : Math.cos(theta) - m * Math.sin(m);
    }

    /** arcface_torch (7fadd420) ArcFace / CombinedMarginLoss(m1 = 1, m3 = 0). */
    private static double arcfaceTorch(double theta, double m2) {
        return Math.cos(theta + m2);
    }

    /** arcface_torch (7fadd420) CombinedMarginLoss with m3 > 0: m1 and m2 ignored. */
    private static double arcfaceTorchM3(double theta, double m3) {
        return Math.cos(theta) - m3;
    }

    private static HeadLoss arc(Fallback fb) {
        return HeadCatalog.cosine(HeadCatalog.arcFace(S, M, fb), 1);
    }

    @Test
    void arcFaceFallbacksPastPi() {
        double theta = 2.9; // theta + m = 3.4 > pi; cos theta = -0.971 < cos(pi - m) = -0.878
        assertTrue(theta + M > Math.PI);
        double none = loss(arc(Fallback.NONE), theta);
        double insight = loss(arc(Fallback.MONOTONE), theta);
        double easy = loss(arc(Fallback.EASY_MARGIN), theta);
        // pinned values (hand formula) and the reference each option follows
        assertEquals(ce(Math.cos(theta + M), theta), none, TOL, "NONE: cos(theta + m), no fallback");
        assertEquals(ce(arcfaceTorch(theta, M), theta), none, TOL, "NONE equals arcface_torch");
        assertEquals(ce(Math.cos(theta) - M * Math.sin(Math.PI - M), theta), insight, TOL,
                "MONOTONE: cos theta - m sin(pi - m)");
        assertEquals(ce(pml281(theta, M), theta), insight, TOL, "MONOTONE equals PML 2.8.1");
        assertEquals(ce(Math.cos(theta), theta), easy, TOL, "EASY_MARGIN: no margin where cos < 0");
        // the builder's default fallback is PML's
        double byDefault = loss(HeadCatalog.cosine(ArcFaceLoss.builder().optScale(S).optMargin(M).build(), 1), theta);
        assertEquals(ce(pml281(theta, M), theta), byDefault, TOL, "the default fallback equals PML 2.8.1");
        // NONE differs from PML there: the loss of PML users changes
        assertTrue(Math.abs(none - ce(pml281(theta, M), theta)) > 1, "NONE vs PML: " + none);
        // below the threshold all three agree with both references
        double inside = 2.0;
        double want = ce(Math.cos(inside + M), inside);
        assertEquals(want, loss(arc(Fallback.NONE), inside), TOL);
        assertEquals(want, loss(arc(Fallback.MONOTONE), inside), TOL);
        assertEquals(ce(pml281(inside, M), inside), want, TOL);
    }

    @Test
    void withoutFallbackTheLossFallsAsTheSampleMovesAway() {
        // NONE: past pi - m, moving away from the class lowers the loss (not monotonic)
        double near = loss(arc(Fallback.NONE), 2.8);
        double far = loss(arc(Fallback.NONE), 3.0);
        assertTrue(far < near, "NONE: loss " + near + " at 2.8 rad, " + far + " at 3.0 rad");
        // MONOTONE keeps it increasing
        double nearI = loss(arc(Fallback.MONOTONE), 2.8);
        double farI = loss(arc(Fallback.MONOTONE), 3.0);
        assertTrue(farI > nearI, "MONOTONE: loss " + nearI + " at 2.8 rad, " + farI + " at 3.0");
    }

    @Test
    void combinedMarginPastPi() {
        double theta = 2.9;
        // m1 = 1, m3 = 0: arcface_torch's ArcFace branch, no fallback
        HeadLoss arcLike = HeadCatalog.cosine(HeadCatalog.combined(S, 1, M, 0), 1);
        assertEquals(ce(arcfaceTorch(theta, M), theta), loss(arcLike, theta), TOL,
                "combined (1, m2, 0) equals arcface_torch past pi");
        assertEquals(loss(arc(Fallback.NONE), theta), loss(arcLike, theta), TOL,
                "combined (1, m2, 0) equals ArcFace NONE");
        // m1 = 1.35: 1.35 * 2.9 + 0.25 = 4.165 > pi; the paper's formula, no fallback
        HeadLoss full = HeadCatalog.cosine(HeadCatalog.combined(S, 1.35, 0.25, 0.1), 1);
        double target = Math.cos(1.35 * theta + 0.25) - 0.1;
        assertTrue(1.35 * theta + 0.25 > Math.PI);
        assertEquals(ce(target, theta), loss(full, theta), TOL, "s (cos(m1 theta + m2) - m3)");
        // the margin has become a bonus: the target logit is above the unmargined cos theta
        assertTrue(target > Math.cos(theta), "target " + target + " vs cos theta " + Math.cos(theta));
        // arcface_torch with m3 > 0 would take cos theta - m3 instead
        assertTrue(Math.abs(loss(full, theta) - ce(arcfaceTorchM3(theta, 0.1), theta)) > 1);
        // the default (1, 0.3, 0.2) past pi: theta + 0.3 > pi for theta = 3.0
        HeadLoss def = HeadCatalog.cosine(HeadCatalog.combined(S, 1, 0.3, 0.2), 1);
        assertEquals(ce(Math.cos(3.0 + 0.3) - 0.2, 3.0), loss(def, 3.0), TOL,
                "default combined margin past pi: no fallback");
    }
}
