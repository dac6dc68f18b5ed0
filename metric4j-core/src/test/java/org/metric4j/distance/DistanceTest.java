package org.metric4j.distance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.doubles;
import static org.metric4j.math.NDTestSupport.dot;
import static org.metric4j.math.NDTestSupport.euclidean;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/** The distances against plain-Java matrices, their direction, gradients at 0, and the masks. */
class DistanceTest {

    private static final int B = 6;
    private static final int D = 4;

    static Stream<Arguments> distances() {
        List<Arguments> out = new ArrayList<>();
        Distance[] all = {LpDistance.euclidean(), LpDistance.squaredEuclidean(), LpDistance.of(Normalization.NONE, 1),
                LpDistance.of(Normalization.NONE, 2), CosineSimilarity.create(), DotProductSimilarity.create(),
                DotProductSimilarity.of(Normalization.L2)};
        for (Distance d : all) {
            for (long seed : new long[] {1, 2}) {
                out.add(Arguments.of(d, seed));
            }
        }
        return out.stream();
    }

    private static double[][] reference(Distance d, double[] x) {
        double[][] r = rows(x, B, D);
        if (d.normalizesEmbeddings()) {
            r = normalizeRows(r);
        }
        if (d instanceof LpDistance lp) {
            return euclidean(r, lp.power() == 2);
        }
        return dot(r);
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("distances")
    void matrixMatchesPlainJava(Distance d, long seed) {
        double[] x = gaussian(new Random(seed), B * D);
        double[] expected = flat(reference(d, x));
        try (NDManager m = TestDevice.manager()) {
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                NDArray e = m.create(x, new Shape(B, D)).toType(dt, false);
                NDArray mat = d.matrix(e);
                assertEquals(dt, mat.getDataType(), d + " [seed " + seed + "]: dtype");
                assertEquals(new Shape(B, B), mat.getShape(), d + " [seed " + seed + "]: shape");
                double tol = (dt == DataType.FLOAT64 ? 1e-12 : 1e-4) * Math.max(1, maxAbs(expected));
                // L2 distances come from |q|^2 + |r|^2 - 2 q.r: near 0 the square root magnifies
                // the rounding of that sum (self-distances ~1e-8 in float64), so compare squares
                boolean root = d instanceof LpDistance lp && lp.power() == 1;
                assertArrayEquals(squareIf(root, expected), squareIf(root, doubles(mat)), tol,
                        d + " [seed " + seed + ", " + dt + "]");
                // against a separate reference set: the first two rows as queries
                NDArray q = e.get("0:2");
                double[] cross = doubles(d.matrix(q, e));
                assertArrayEquals(squareIf(root, java.util.Arrays.copyOf(expected, 2 * B)),
                        squareIf(root, cross), tol, d + " [seed " + seed + ", " + dt + "]: query x reference");
            }
        }
    }

    private static double[] squareIf(boolean square, double[] v) {
        if (!square) {
            return v;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * v[i];
        }
        return out;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("distances")
    void gradientFiniteWithIdenticalRowsAndMatchesFiniteDifferences(Distance d, long seed) {
        double[] x = gaussian(new Random(seed), B * D);
        System.arraycopy(x, 0, x, D, D); // rows 0 and 1 identical: distance 0 there
        double[] weights = gaussian(new Random(seed + 1), B * B);
        // the L2 distance (power 1) has a kink at 0: on the diagonal and between rows 0 and 1;
        // finite differences are taken with those entries weighted 0
        boolean root = d instanceof LpDistance lp && lp.power() == 1;
        double[] smoothWeights = weights.clone();
        if (root) {
            for (int i = 0; i < B; i++) {
                smoothWeights[i * B + i] = 0;
            }
            smoothWeights[1] = 0;
            smoothWeights[B] = 0;
        }
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad full = valueAndGrad(m, x, B, D, DataType.FLOAT64, weighted(d, weights));
            assertTrue(allFinite(full.grad()), d + " [seed " + seed + "]: gradient not finite");
            ValueAndGrad f32 = valueAndGrad(m, x, B, D, DataType.FLOAT32, weighted(d, weights));
            assertTrue(allFinite(f32.grad()), d + " [seed " + seed + "]: float32 gradient not finite");
            Function<NDArray, NDArray> f = weighted(d, smoothWeights);
            double[] a = valueAndGrad(m, x, B, D, DataType.FLOAT64, f).grad();
            double[] n = centralDifferences(m, x, B, D, 1e-6, f);
            assertTrue(maxAbsDiff(a, n) <= 1e-6 * Math.max(1, maxAbs(n)), d + " [seed " + seed
                    + "]: autograd vs finite differences " + maxAbsDiff(a, n));
        }
    }

    private static Function<NDArray, NDArray> weighted(Distance d, double[] weights) {
        return e -> d.matrix(e).mul(e.getManager().create(weights, new Shape(B, B))
                .toType(e.getDataType(), false)).sum();
    }

    @Test
    void marginPointsAwayFromCloser() {
        try (NDManager m = TestDevice.manager()) {
            NDArray near = m.create(new double[] {0.2});
            NDArray far = m.create(new double[] {0.9});
            // a distance: far is farther than near by 0.7
            assertEquals(0.7, doubles(LpDistance.euclidean().margin(far, near))[0], 1e-15);
            // a similarity: a smaller value is farther
            assertEquals(0.7, doubles(CosineSimilarity.create().margin(near, far))[0], 1e-15);
            assertEquals(-0.3, doubles(LpDistance.euclidean().margin(near, 0.5))[0], 1e-15);
            assertEquals(0.3, doubles(CosineSimilarity.create().margin(near, 0.5))[0], 1e-15);
            assertEquals(0.3, doubles(LpDistance.euclidean().margin(0.5, near))[0], 1e-15);
            assertEquals(-0.3, doubles(CosineSimilarity.create().margin(0.5, near))[0], 1e-15);
        }
    }

    @Test
    void pairMasks() {
        try (NDManager m = TestDevice.manager()) {
            PairMasks masks = PairMasks.of(m.create(new long[] {4, 7, 4}));
            assertArrayEquals(new boolean[] {false, false, true, false, false, false, true, false, false},
                    masks.positive().toBooleanArray(), "positives exclude the diagonal");
            assertArrayEquals(new boolean[] {false, true, false, true, false, true, false, true, false},
                    masks.negative().toBooleanArray());
            PairMasks cross = PairMasks.of(m.create(new long[] {4, 7}), m.create(new long[] {7, 4, 4}));
            assertArrayEquals(new boolean[] {false, true, true, true, false, false},
                    cross.positive().toBooleanArray(), "against a reference set every same label counts");
            assertArrayEquals(new boolean[] {true, false, false, false, true, true},
                    cross.negative().toBooleanArray());
        }
    }

    @Test
    void configuration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LpDistance.of(Normalization.L2, 0));
        assertTrue(e.getMessage().contains("power") && e.getMessage().contains("0"), e.getMessage());
        assertEquals(LpDistance.euclidean(), LpDistance.of(Normalization.L2, 1));
        assertEquals(LpDistance.euclidean().hashCode(), LpDistance.of(Normalization.L2, 1).hashCode());
        assertNotEquals(LpDistance.euclidean(), LpDistance.squaredEuclidean());
        assertEquals(DotProductSimilarity.of(Normalization.NONE), DotProductSimilarity.create());
        assertEquals("LpDistance(normalize=true, power=2)", LpDistance.squaredEuclidean().toString());
        assertTrue(CosineSimilarity.create().isInverted() && CosineSimilarity.create().normalizesEmbeddings());
        assertTrue(!LpDistance.of(Normalization.NONE, 2).isInverted() && !LpDistance.of(Normalization.NONE, 2).normalizesEmbeddings());
    }

    /**
     * Raw, unnormalized features of norm ~1,000 (LeNet++'s): 10 classes along rays from the origin
     * with radial spread, or one cloud around a common offset, in float32, against a float64
     * direct-difference reference: |ours - ref| {@code <=} 1e-4 max(|ref|, 1) for every pair, for the
     * distance and its square, a batch against itself and against another batch.
     */
    @ParameterizedTest(name = "dim={0} power={1} layout={2}")
    @MethodSource("rawLayouts")
    void rawFeaturesOfNormAThousand(int dim, int power, String layout) {
        Random random = new Random(11 + dim + power);
        int n = 96;
        double[][] q = rawFeatures(random, n, dim, layout);
        double[][] r = rawFeatures(random, n / 2, dim, layout);
        LpDistance d = LpDistance.of(Normalization.NONE, power);
        try (NDManager m = TestDevice.manager()) {
            for (boolean self : new boolean[] {true, false}) {
                double[][] other = self ? q : r;
                NDArray qa = m.create(flat(q), new Shape(q.length, dim)).toType(DataType.FLOAT32, false);
                NDArray ra = self ? qa : m.create(flat(other), new Shape(other.length, dim)).toType(DataType.FLOAT32, false);
                float[] got = d.matrix(qa, ra).toFloatArray();
                double worst = 0;
                for (int i = 0; i < q.length; i++) {
                    for (int j = 0; j < other.length; j++) {
                        double sq = 0;
                        for (int k = 0; k < dim; k++) {
                            // the reference sees the float32 inputs, so only the formula is compared
                            double diff = (double) (float) q[i][k] - (double) (float) other[j][k];
                            sq += diff * diff;
                        }
                        double ref = power == 2 ? sq : Math.sqrt(sq);
                        worst = Math.max(worst, Math.abs(got[i * other.length + j] - ref) / Math.max(Math.abs(ref), 1));
                    }
                }
                assertTrue(worst <= 1e-4, layout + ", dim " + dim + ", power " + power + (self ? ", self" : ", cross")
                        + ": worst |ours - ref| / max(|ref|, 1) = " + worst);
            }
        }
    }

    static Stream<Arguments> rawLayouts() {
        List<Arguments> out = new ArrayList<>();
        for (int dim : new int[] {2, 64}) {
            for (int power : new int[] {1, 2}) {
                for (String layout : new String[] {"rays", "offset"}) {
                    out.add(Arguments.of(dim, power, layout));
                }
            }
        }
        return out.stream();
    }

    /** Rows of norm ~1,000: along 10 class rays (radius 600 to 1,400, 2% angular noise), or a common offset + N(0, 1). */
    private static double[][] rawFeatures(Random random, int n, int dim, String layout) {
        Random directions = new Random(5);
        double[][] rays = new double[10][];
        for (int c = 0; c < rays.length; c++) {
            rays[c] = normalizeRows(new double[][] {gaussian(directions, dim)})[0];
        }
        double[][] out = new double[n][dim];
        for (int i = 0; i < n; i++) {
            if (layout.equals("rays")) {
                double radius = 600 + 800 * random.nextDouble();
                for (int k = 0; k < dim; k++) {
                    out[i][k] = radius * (rays[i % 10][k] + 0.02 * random.nextGaussian());
                }
            } else {
                for (int k = 0; k < dim; k++) {
                    out[i][k] = 1000 * rays[0][k] + random.nextGaussian();
                }
            }
        }
        return out;
    }
}
