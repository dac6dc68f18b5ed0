package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.loss.HeadTestSupport.permuteClassColumns;
import static org.metric4j.loss.HeadTestSupport.rename;
import static org.metric4j.loss.HeadTestSupport.run;
import static org.metric4j.loss.HeadTestSupport.valueOf;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.permute;
import static org.metric4j.math.NDTestSupport.permuteRows;
import static org.metric4j.math.NDTestSupport.permutation;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * Invariants of the classification losses on random problems (B = 12, D = 6, C = 5, k sub-centers),
 * over three seeds, in float64: finite, positive, float32 close to float64; unchanged (loss and
 * gradients, which follow the move) by permuting the batch and by renaming the classes (labels and
 * W's class columns together); rescaling invariance where the loss sees only directions, and a
 * changed loss where it does not; and the margin-0 identities of the formulas: CosFace m = 0,
 * ArcFace m = 0 (each fallback) and combined (1, 0, 0) equal NormFace at temperature 1 / s;
 * SphereFace m = 1 equals NormFace on unit embeddings (value and gradient wrt W); L-Softmax m = 1 equals softmax on x W
 * (no bias); sub-center ArcFace with k identical sub-centers equals ArcFace.
 */
class MarginHeadInvariantsTest {

    private static final long[] SEEDS = {11, 12, 13};
    private static final int B = 12;
    private static final int D = 6;
    private static final int C = 5;
    /** Relative tolerance of float64 invariances (summation order only). */
    private static final double TOL64 = 1e-9;
    /** Relative tolerance of float32 against float64. */
    private static final double TOL32 = 2e-3;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : HeadCatalog.all()) {
            for (long seed : SEEDS) {
                out.add(Arguments.of(c, seed));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> seeds() {
        return java.util.Arrays.stream(SEEDS).mapToObj(Arguments::of);
    }

    private static Problem problem(Case c, long seed) {
        return Problem.random(seed, B, D, C, c.subCenters());
    }

    private static double tol(double t, double ref) {
        return t * Math.max(1, Math.abs(ref));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void finitePositiveAndKeepsDtype(Case c, long seed) {
        Problem p = problem(c, seed);
        try (NDManager m = NDManager.newBaseManager()) {
            Result f64 = run(m, c, p, DataType.FLOAT64);
            Result f32 = run(m, c, p, DataType.FLOAT32);
            for (Result r : new Result[] {f64, f32}) {
                assertTrue(Double.isFinite(r.value()) && r.value() > 0,
                        msg(c.name(), seed, r.dtype() + " loss not finite and > 0: " + r.value()));
                assertTrue(allFinite(r.gradX()) && allFinite(r.gradW()),
                        msg(c.name(), seed, r.dtype() + " gradient not finite"));
                assertEquals(new Shape(), r.shape(), msg(c.name(), seed, "loss must be a scalar"));
            }
            assertEquals(DataType.FLOAT64, f64.dtype(), msg(c.name(), seed, "float64 in, out"));
            assertEquals(DataType.FLOAT32, f32.dtype(), msg(c.name(), seed, "float32 in, out"));
            assertTrue(maxAbs(f64.gradX()) > 0, msg(c.name(), seed, "zero gradient wrt x"));
            if (c.usesWeights()) {
                assertTrue(maxAbs(f64.gradW()) > 0, msg(c.name(), seed, "zero gradient wrt W"));
            }
            assertEquals(f64.value(), f32.value(), tol(TOL32, f64.value()),
                    msg(c.name(), seed, "float32 loss far from float64"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void invariantToPermutingTheBatch(Case c, long seed) {
        Problem p = problem(c, seed);
        int[] perm = permutation(new Random(seed * 31 + 7), B);
        Problem moved = p.withX(permuteRows(p.x(), D, perm)).withY(permute(p.y(), perm));
        try (NDManager m = NDManager.newBaseManager()) {
            Result base = run(m, c, p, DataType.FLOAT64);
            Result other = run(m, c, moved, DataType.FLOAT64);
            assertEquals(base.value(), other.value(), tol(TOL64, base.value()),
                    msg(c.name(), seed, "mean loss changed under a batch permutation"));
            double[] expected = permuteRows(base.gradX(), D, perm);
            assertTrue(maxAbsDiff(expected, other.gradX()) <= tol(TOL64, maxAbs(expected)),
                    msg(c.name(), seed, "gradient rows did not follow the permutation"));
            assertTrue(maxAbsDiff(base.gradW(), other.gradW()) <= tol(TOL64, maxAbs(base.gradW())),
                    msg(c.name(), seed, "gradient wrt W changed under a batch permutation"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void invariantToRenamingClasses(Case c, long seed) {
        Problem p = problem(c, seed);
        int[] perm = permutation(new Random(seed + 99), C);
        int k = c.subCenters();
        Problem renamed = p.withY(rename(p.y(), perm))
                .withW(permuteClassColumns(p.w(), D, C, k, perm));
        try (NDManager m = NDManager.newBaseManager()) {
            Result base = run(m, c, p, DataType.FLOAT64);
            Result other = run(m, c, renamed, DataType.FLOAT64);
            assertEquals(base.value(), other.value(), tol(TOL64, base.value()),
                    msg(c.name(), seed, "loss changed when classes were renamed by "
                            + java.util.Arrays.toString(perm)));
            assertTrue(maxAbsDiff(base.gradX(), other.gradX()) <= tol(TOL64, maxAbs(base.gradX())),
                    msg(c.name(), seed, "gradient wrt x changed when classes were renamed"));
            double[] expectedW = permuteClassColumns(base.gradW(), D, C, k, perm);
            assertTrue(maxAbsDiff(expectedW, other.gradW()) <= tol(TOL64, maxAbs(expectedW)),
                    msg(c.name(), seed, "gradient wrt W did not follow the renamed columns"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void rescalingRowsAndColumns(Case c, long seed) {
        Problem p = problem(c, seed);
        Random r = new Random(seed ^ 0x5DEECE66DL);
        double[] x = p.x().clone();
        for (int i = 0; i < B; i++) {
            double s = Math.exp((r.nextDouble() * 2 - 1) * Math.log(5));
            for (int k = 0; k < D; k++) {
                x[i * D + k] *= s;
            }
        }
        double[] w = p.w().clone();
        for (int j = 0; j < p.cols(); j++) {
            double s = Math.exp((r.nextDouble() * 2 - 1) * Math.log(5));
            for (int k = 0; k < D; k++) {
                w[k * p.cols() + j] *= s;
            }
        }
        HeadLoss f = c.loss();
        try (NDManager m = NDManager.newBaseManager()) {
            double base = valueOf(m, f, p, DataType.FLOAT64);
            double scaledX = valueOf(m, f, p.withX(x), DataType.FLOAT64);
            double scaledW = valueOf(m, f, p.withW(w), DataType.FLOAT64);
            check(c, seed, "rows of x", c.embeddingScaleInvariant(), base, scaledX);
            if (c.usesWeights()) {
                check(c, seed, "columns of W", c.weightScaleInvariant(), base, scaledW);
            }
        }
    }

    private static void check(Case c, long seed, String what, boolean invariant, double base,
            double scaled) {
        if (invariant) {
            assertEquals(base, scaled, tol(TOL64, base),
                    msg(c.name(), seed, "loss changed when the " + what + " were rescaled"));
        } else {
            assertTrue(Math.abs(base - scaled) > 1e-6 * Math.max(1, Math.abs(base)),
                    msg(c.name(), seed, "expected a loss that sees the scale of the " + what
                            + ", got " + base + " both times"));
        }
    }

    /** Two losses that the formulas say are equal, on the same problem, in float64. */
    private static void assertSame(String name, long seed, HeadLoss a, HeadLoss b, Problem p) {
        assertSame(name, seed, a, b, p, true);
    }

    /**
     * As above; without {@code compareGradX} the gradients wrt x are not compared (a loss that
     * sees |x| has a radial gradient that one on directions lacks, even where the values agree).
     */
    private static void assertSame(String name, long seed, HeadLoss a, HeadLoss b, Problem p,
            boolean compareGradX) {
        try (NDManager m = NDManager.newBaseManager()) {
            Result ra = run(m, a, true, p, DataType.FLOAT64);
            Result rb = run(m, b, true, p, DataType.FLOAT64);
            assertEquals(rb.value(), ra.value(), tol(TOL64, rb.value()),
                    msg(name, seed, "loss differs from the reference"));
            assertTrue(!compareGradX
                    || maxAbsDiff(ra.gradX(), rb.gradX()) <= tol(TOL64, maxAbs(rb.gradX())),
                    msg(name, seed, "gradient wrt x differs from the reference's"));
            assertTrue(maxAbsDiff(ra.gradW(), rb.gradW()) <= tol(TOL64, maxAbs(rb.gradW())),
                    msg(name, seed, "gradient wrt W differs from the reference's"));
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void marginZeroEqualsNormalizedSoftmax(long seed) {
        Problem p = Problem.random(seed, B, D, C, 1);
        for (double s : new double[] {10, 64}) {
            HeadLoss normFace = HeadCatalog.cosine(HeadCatalog.normFace(1 / s), 1);
            assertSame("CosFace(s=" + s + ", m=0)", seed,
                    HeadCatalog.cosine(HeadCatalog.cosFace(s, 0), 1), normFace, p);
            for (ArcFaceLoss.Fallback fb : ArcFaceLoss.Fallback.values()) {
                assertSame("ArcFace(s=" + s + ", m=0, " + fb + ")", seed,
                        HeadCatalog.cosine(HeadCatalog.arcFace(s, 0, fb), 1), normFace, p);
            }
            assertSame("Combined(s=" + s + ", 1, 0, 0)", seed,
                    HeadCatalog.cosine(HeadCatalog.combined(s, 1, 0, 0), 1), normFace, p);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void multiplicativeMarginOneIsTheUnmarginedLoss(long seed) {
        Problem p = Problem.random(seed, B, D, C, 1);
        // L-Softmax with m = 1: |W_j| |x| cos = x W_j, plain softmax without bias
        HeadLoss plain = (x, w, y) -> new SoftmaxLoss().compute(x.matMul(w), y);
        assertSame("L-Softmax(m=1)", seed,
                HeadCatalog.cosine(HeadCatalog.largeMargin(1, 1, 0), 1), plain, p);
        // SphereFace with m = 1 scales by |x| only: NormFace at temperature 1 / s on unit rows
        double[] unit = flatten(org.metric4j.math.NDTestSupport.normalizeRows(
                org.metric4j.math.NDTestSupport.rows(p.x(), B, D)));
        assertSame("SphereFace(m=1, scale=7) on unit rows", seed,
                HeadCatalog.cosine(HeadCatalog.sphereFace(1, 7, 0), 1),
                HeadCatalog.cosine(HeadCatalog.normFace(1 / 7.0), 1), p.withX(unit), false);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void identicalSubCentersEqualOneCenter(long seed) {
        Problem one = Problem.random(seed, B, D, C, 1);
        int k = 3;
        double[] w3 = new double[D * C * k];
        for (int r = 0; r < D; r++) {
            for (int c = 0; c < C; c++) {
                for (int j = 0; j < k; j++) {
                    w3[r * C * k + c * k + j] = one.w()[r * C + c];
                }
            }
        }
        Problem three = new Problem(one.x(), B, D, w3, C * k, one.y());
        HeadLoss arc1 = HeadCatalog.cosine(HeadCatalog.arcFace(64, 0.5, ArcFaceLoss.Fallback.NONE), 1);
        HeadLoss arc3 = HeadCatalog.cosine(HeadCatalog.arcFace(64, 0.5, ArcFaceLoss.Fallback.NONE), k);
        try (NDManager m = NDManager.newBaseManager()) {
            double v1 = valueOf(m, arc1, one, DataType.FLOAT64);
            double v3 = valueOf(m, arc3, three, DataType.FLOAT64);
            assertEquals(v1, v3, tol(TOL64, v1), msg("SubCenterArcFace(k=3, identical)", seed,
                    "loss differs from ArcFace with one center"));
        }
    }

    private static double[] flatten(double[][] rows) {
        double[] out = new double[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
        }
        return out;
    }
}
