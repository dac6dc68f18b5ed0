package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.loss.HeadTestSupport.logSumExp;
import static org.metric4j.loss.HeadTestSupport.run;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.msg;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.loss.HeadCatalog.Case;
import org.metric4j.loss.HeadTestSupport.Problem;
import org.metric4j.loss.HeadTestSupport.Result;

/**
 * Degenerate problems, in float64 and float32: cosines of exactly +1 and -1 (an embedding equal
 * to, or opposite to, its own class weight or another class's) and a single class (C = 1).
 *
 * <p>{@link #closedFormAtPlusAndMinusOne}: D = C = 2, W = I, row 0 = 2 e0 (label 0, cos +1 with
 * its class), row 1 = -0.5 e1 (label 1, cos -1 with its class); the expected loss is computed by
 * hand for every case, with the cosines clamped to \( \pm(1 - 10^{-7}) \) before acos as the
 * code documents (in float32 that bound rounds to 1 - 2^-23).
 */
class MarginHeadEdgeCaseTest {

    private static final long[] SEEDS = {5, 6};
    private static final DataType[] DTYPES = {DataType.FLOAT64, DataType.FLOAT32};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : HeadCatalog.all()) {
            for (DataType dt : DTYPES) {
                out.add(Arguments.of(c, dt));
            }
        }
        return out.stream();
    }

    private static void assertFinite(Case c, long seed, DataType dt, String what, Result r) {
        String where = dt + ", " + what;
        assertTrue(Double.isFinite(r.value()), msg(c.name(), seed, where + ": loss " + r.value()));
        assertTrue(allFinite(r.gradX()), msg(c.name(), seed, where + ": gradient wrt x not finite"));
        assertTrue(allFinite(r.gradW()), msg(c.name(), seed, where + ": gradient wrt W not finite"));
        assertEquals(dt, r.dtype(), msg(c.name(), seed, where + ": loss dtype"));
    }

    /** Column j of a row-major D x cols array. */
    private static double[] column(double[] w, int d, int cols, int j) {
        double[] out = new double[d];
        for (int r = 0; r < d; r++) {
            out[r] = w[r * cols + j];
        }
        return out;
    }

    private static void setRow(double[] x, int d, int i, double[] v, double factor) {
        for (int r = 0; r < d; r++) {
            x[i * d + r] = v[r] * factor;
        }
    }

    /**
     * B = 8, D = 5, C = 5: row 0 = 3 W_0 (label 0), row 1 = -W_1 (label 1), row 2 = W_3 (label 2:
     * a non-target cosine of +1), row 3 = -W_4 (label 3: non-target -1), rows 4 and 5 = v and -v
     * (label 4: CoCo's batch centroid of class 4 is the zero vector), rows 6, 7 random. W_c is
     * the first sub-center of class c.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void exactPlusAndMinusOne(Case c, DataType dt) {
        for (long seed : SEEDS) {
            int b = 8;
            int d = 5;
            int classes = 5;
            int k = c.subCenters();
            Random r = new Random(seed);
            double[] w = gaussian(r, d * classes * k);
            double[] x = gaussian(r, b * d);
            int cols = classes * k;
            setRow(x, d, 0, column(w, d, cols, 0), 3);
            setRow(x, d, 1, column(w, d, cols, k), -1);
            setRow(x, d, 2, column(w, d, cols, 3 * k), 1);
            setRow(x, d, 3, column(w, d, cols, 4 * k), -1);
            double[] v = gaussian(r, d);
            setRow(x, d, 4, v, 1);
            setRow(x, d, 5, v, -1);
            long[] y = {0, 1, 2, 3, 4, 4, 0, 1};
            try (NDManager m = NDManager.newBaseManager()) {
                Result res = run(m, c, new Problem(x, b, d, w, cols, y), dt);
                assertFinite(c, seed, dt, "cos = +1 and -1 exactly", res);
            }
        }
    }

    /** C = 1: every label 0, rows at cos +1 and -1 with the single class and random rows. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void singleClass(Case c, DataType dt) {
        for (long seed : SEEDS) {
            int b = 6;
            int d = 4;
            int k = c.subCenters();
            Random r = new Random(seed);
            double[] w = gaussian(r, d * k);
            double[] x = gaussian(r, b * d);
            setRow(x, d, 0, column(w, d, k, 0), 1);
            setRow(x, d, 1, column(w, d, k, 0), -2);
            long[] y = new long[b];
            try (NDManager m = NDManager.newBaseManager()) {
                Result res = run(m, c, new Problem(x, b, d, w, k, y), dt);
                assertFinite(c, seed, dt, "one class", res);
                if (c.oneClassIsZero()) {
                    assertEquals(0.0, res.value(), 1e-6,
                            msg(c.name(), seed, dt + ": a softmax over one class is 0"));
                    assertTrue(maxAbs(res.gradX()) <= 1e-6 && maxAbs(res.gradW()) <= 1e-6,
                            msg(c.name(), seed, dt + ": one class, the gradient must be 0"));
                } else {
                    assertTrue(res.value() > 0, msg(c.name(), seed, dt + ": loss " + res.value()));
                }
            }
        }
    }

    /** The clamp bound 1 - 1e-7 as the dtype holds it. */
    private static double clampBound(DataType dt) {
        return dt == DataType.FLOAT32 ? (double) (float) (1 - 1e-7) : 1 - 1e-7;
    }

    /** The angle of a cosine of +-1 after the clamp. */
    private static double angle(double cos, DataType dt) {
        return Math.acos(Math.signum(cos) * clampBound(dt));
    }

    /** L-Softmax's psi with annealing lambda, at an exact cosine c = +-1. */
    private static double psi(double c, int m, double lambda, DataType dt) {
        double k = Math.floor(m * angle(c, dt) / Math.PI);
        double p = (((long) k % 2 == 0) ? 1 : -1) * Math.cos(m * Math.acos(c)) - 2 * k;
        return (lambda * c + p) / (1 + lambda);
    }

    /** Mean over the two rows of lse(row) - row[label], labels (0, 1). */
    private static double ce(double[] row0, double[] row1) {
        return 0.5 * (logSumExp(row0) - row0[0] + logSumExp(row1) - row1[1]);
    }

    /** Two rows of logits of a cosine head from the targets' penalized values (others 0). */
    private static double cosineHead(double s, DoubleUnaryOperator target) {
        return ce(new double[] {s * target.applyAsDouble(1), 0},
                new double[] {0, s * target.applyAsDouble(-1)});
    }

    private static double expected(String name, DataType dt) {
        double cp = clampBound(dt);
        double r0 = 2;
        double r1 = 0.5;
        Map<String, Double> e = new java.util.HashMap<>();
        e.put("Softmax", ce(new double[] {2.1, 0.1}, new double[] {0.1, -0.4}));
        e.put("NormFace", cosineHead(20, t -> t));
        for (String n : new String[] {"L-Softmax(m=4)", "SphereFace(m=4)"}) {
            e.put(n, ce(new double[] {r0 * psi(1, 4, 0, dt), 0}, new double[] {0, r1 * psi(-1, 4, 0, dt)}));
        }
        e.put("L-Softmax(m=2, lambda=1)", ce(new double[] {r0 * psi(1, 2, 1, dt), 0},
                new double[] {0, r1 * psi(-1, 2, 1, dt)}));
        e.put("SphereFace(m=3, lambda=5)", ce(new double[] {r0 * psi(1, 3, 5, dt), 0},
                new double[] {0, r1 * psi(-1, 3, 5, dt)}));
        e.put("CosFace", cosineHead(64, t -> t - 0.35));
        double m = ArcFaceLoss.DEFAULT_MARGIN;
        e.put("ArcFace(NONE)", cosineHead(64, t -> Math.cos(angle(t, dt) + m)));
        e.put("SubCenterArcFace(k=3)", e.get("ArcFace(NONE)"));
        e.put("ArcFace(MONOTONE)", cosineHead(64, t -> t * cp > Math.cos(Math.PI - m)
                ? Math.cos(angle(t, dt) + m) : t * cp - m * Math.sin(Math.PI - m)));
        e.put("ArcFace(EASY_MARGIN)", cosineHead(64, t -> t > 0 ? Math.cos(angle(t, dt) + m) : t));
        e.put("Combined(1, 0.3, 0.2)", cosineHead(64, t -> Math.cos(angle(t, dt) + 0.3) - 0.2));
        e.put("Combined(1.35, 0.25, 0.1)",
                cosineHead(32, t -> Math.cos(1.35 * angle(t, dt) + 0.25) - 0.1));
        // batch centroids e0 and -e1: each row has cos 1 with its own centroid, 0 with the other
        e.put("CoCo", cosineHead(6, t -> 1));
        e.put("Center", 0.25 * ((2 - 1) * (2 - 1) + (0.5 + 1) * (0.5 + 1)));
        return e.get(name);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void closedFormAtPlusAndMinusOne(Case c, DataType dt) {
        int k = c.subCenters();
        int cols = 2 * k;
        double[] w = new double[2 * cols];
        for (int cl = 0; cl < 2; cl++) {
            for (int j = 0; j < k; j++) {
                w[cl * cols + cl * k + j] = j + 1; // sub-center j of class c: (j + 1) e_c
            }
        }
        double[] x = {2, 0, 0, -0.5};
        long[] y = {0, 1};
        try (NDManager m = NDManager.newBaseManager()) {
            Result res = run(m, c, new Problem(x, 2, 2, w, cols, y), dt);
            assertFinite(c, 0, dt, "closed form", res);
            double want = expected(c.name(), dt);
            double tol = (dt == DataType.FLOAT32 ? 1e-5 : 1e-12) * Math.max(1, Math.abs(want));
            assertEquals(want, res.value(), tol, msg(c.name(), 0, dt + ": loss at cos = +1 / -1"));
        }
    }
}
