package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.loss.HeadTestSupport.centralDifferences;
import static org.metric4j.loss.HeadTestSupport.cosine;
import static org.metric4j.loss.HeadTestSupport.run;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.msg;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.loss.HeadCatalog.Case;
import org.metric4j.loss.HeadCatalog.HeadLoss;
import org.metric4j.loss.HeadTestSupport.Problem;
import org.metric4j.loss.HeadTestSupport.Result;

/**
 * The float64 autograd gradients of every classification loss, with respect to the embeddings and
 * to the class parameter W, against central finite differences (h = 1e-6, tolerance 1e-5 of the
 * largest component, as the pair-loss check), on 8 x 4 problems with C = 3 (k sub-centers).
 *
 * <p>A second family places rows 0 and 1 near the opposite of their class weight (target cosine
 * about -0.97, so theta + m > pi for m = 0.5): ArcFace's three fallbacks and the combined margin
 * are checked inside the region where the fallback applies, the test asserting that the
 * threshold is really crossed and that no row lies within 1e-3 of a threshold.
 */
class MarginHeadGradientCheckTest {

    private static final long[] SEEDS = {7, 8};
    private static final int B = 8;
    private static final int D = 4;
    private static final int C = 3;
    private static final double H = 1e-6;
    private static final double RTOL = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : HeadCatalog.all()) {
            for (long seed : SEEDS) {
                out.add(Arguments.of(c, seed));
            }
        }
        return out.stream();
    }

    private static void check(String name, long seed, HeadLoss f, boolean weights, Problem p) {
        try (NDManager m = NDManager.newBaseManager()) {
            Result auto = run(m, f, weights, p, DataType.FLOAT64);
            compare(name, seed, "x", auto.gradX(), centralDifferences(m, f, p, false, H), D);
            if (weights) {
                compare(name, seed, "W", auto.gradW(), centralDifferences(m, f, p, true, H),
                        p.cols());
            }
        }
    }

    private static void compare(String name, long seed, String wrt, double[] auto, double[] numeric,
            int width) {
        double scale = maxAbs(numeric);
        assertTrue(scale > 1e-4, msg(name, seed, "finite-difference gradient wrt " + wrt
                + " is ~0 (" + scale + "): the check would be vacuous"));
        for (int i = 0; i < auto.length; i++) {
            double diff = Math.abs(auto[i] - numeric[i]);
            assertTrue(diff <= RTOL * scale, msg(name, seed, "d loss / d " + wrt + "[" + i / width
                    + "][" + i % width + "]: autograd " + auto[i] + ", finite differences "
                    + numeric[i] + " (diff " + diff + ")"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void autogradMatchesFiniteDifferences(Case c, long seed) {
        Problem p = Problem.random(seed, B, D, C, c.subCenters());
        if (c.name().startsWith("ArcFace(EASY")) {
            assertAwayFrom(c.name(), seed, p, 0.0);
        } else if (c.name().startsWith("ArcFace(INSIGHT")) {
            assertAwayFrom(c.name(), seed, p, Math.cos(Math.PI - ArcFaceLoss.DEFAULT_MARGIN));
        }
        check(c.name(), seed, c.loss(), c.usesWeights(), p);
    }

    /** Rows 0 and 1 moved next to minus their class weight: target cosine about -0.97. */
    private static Problem pastThePi(long seed) {
        Problem p = Problem.random(seed, B, D, C, 1);
        Random r = new Random(seed + 1000);
        double[] x = p.x().clone();
        for (int i = 0; i < 2; i++) {
            int cl = (int) p.y()[i];
            double norm = 0;
            for (int k = 0; k < D; k++) {
                norm += p.w()[k * C + cl] * p.w()[k * C + cl];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < D; k++) {
                x[i * D + k] = -p.w()[k * C + cl] / norm + 0.05 * r.nextGaussian();
            }
        }
        return p.withX(x);
    }

    /** The target angle of row i. */
    private static double theta(Problem p, int i) {
        return Math.acos(cosine(p, i, (int) p.y()[i]));
    }

    /** No target cosine within 1e-3 of a threshold (a kink of the loss). */
    private static void assertAwayFrom(String name, long seed, Problem p, double threshold) {
        for (int i = 0; i < p.b(); i++) {
            double cos = cosine(p, i, (int) p.y()[i]);
            assertTrue(Math.abs(cos - threshold) > 1e-3, msg(name, seed, "row " + i
                    + " has target cosine " + cos + ", within 1e-3 of the threshold " + threshold));
        }
    }

    static Stream<Arguments> seeds() {
        return java.util.Arrays.stream(SEEDS).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void fallbackRegionOfArcFaceAndCombinedMargin(long seed) {
        Problem p = pastThePi(seed);
        double m = 0.5;
        for (int i = 0; i < 2; i++) {
            assertTrue(theta(p, i) + m > Math.PI + 0.01, msg("pastThePi", seed, "row " + i
                    + ": theta + m = " + (theta(p, i) + m) + " does not cross pi"));
        }
        assertAwayFrom("ArcFace thresholds", seed, p, Math.cos(Math.PI - m));
        assertAwayFrom("ArcFace thresholds", seed, p, 0.0);
        for (ArcFaceLoss.Fallback fb : ArcFaceLoss.Fallback.values()) {
            check("ArcFace(s=16, m=0.5, " + fb + ") past pi", seed,
                    HeadCatalog.cosine(HeadCatalog.arcFace(16, m, fb), 1), true, p);
        }
        check("Combined(16, 1, 0.5, 0) past pi", seed,
                HeadCatalog.cosine(HeadCatalog.combined(16, 1, m, 0), 1), true, p);
        check("Combined(16, 1.35, 0.25, 0.1) past pi", seed,
                HeadCatalog.cosine(HeadCatalog.combined(16, 1.35, 0.25, 0.1), 1), true, p);
    }
}
