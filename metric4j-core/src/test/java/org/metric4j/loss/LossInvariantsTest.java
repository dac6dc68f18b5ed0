package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.labelsWithSingleton;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.permute;
import static org.metric4j.math.NDTestSupport.permuteRows;
import static org.metric4j.math.NDTestSupport.permutation;
import static org.metric4j.math.NDTestSupport.valueAndGrad;
import static org.metric4j.math.NDTestSupport.valueOf;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.LossCatalog.Case;
import org.metric4j.loss.LossCatalog.Permutation;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * Invariants every label-based loss must satisfy on random batches (13 x 6: four classes of three
 * and one singleton), over three seeds: finite, non-negative where so by definition, dtype and
 * scalar shape kept, float32 close to float64, and loss and gradient unchanged by permuting the
 * batch, by renaming the labels and (for losses on directions only) by rescaling the rows.
 */
class LossInvariantsTest {

    private static final long[] SEEDS = {101, 202, 303};
    private static final int B = 13;
    private static final int D = 6;
    private static final int CLASSES = 4;
    /** Relative tolerance of float64 invariances (only summation order may change). */
    private static final double TOL64 = 1e-9;
    /** Relative tolerance of float32 against float64 (that of the fixtures). */
    private static final double TOL32 = 2e-3;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : LossCatalog.all()) {
            for (long seed : SEEDS) {
                out.add(Arguments.of(c, seed));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> scaleInvariantCases() {
        return cases().filter(a -> ((Case) a.get()[0]).scaleInvariant());
    }

    static Stream<Arguments> scaleDependentCases() {
        return cases().filter(a -> !((Case) a.get()[0]).scaleInvariant());
    }

    /** A random batch of one seed. */
    private record Batch(double[] x, long[] y) {
        static Batch of(long seed) {
            Random r = new Random(seed);
            return new Batch(gaussian(r, B * D), labelsWithSingleton(r, B, CLASSES));
        }
    }

    private static ValueAndGrad run(NDManager m, Case c, double[] x, long[] y, DataType dt) {
        MetricLoss loss = c.loss();
        return valueAndGrad(m, x, B, D, dt, e -> loss.compute(e, e.getManager().create(y)));
    }

    private static double tolerance(double tol, double reference) {
        return tol * Math.max(1, Math.abs(reference));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void finiteNonNegativeAndKeepsDtype(Case c, long seed) {
        Batch batch = Batch.of(seed);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad f64 = run(m, c, batch.x, batch.y, DataType.FLOAT64);
            ValueAndGrad f32 = run(m, c, batch.x, batch.y, DataType.FLOAT32);
            for (ValueAndGrad r : new ValueAndGrad[] {f64, f32}) {
                assertTrue(Double.isFinite(r.value()),
                        msg(c.name(), seed, r.dtype() + " loss not finite: " + r.value()));
                assertTrue(allFinite(r.grad()), msg(c.name(), seed, r.dtype() + " gradient not finite"));
                assertEquals(new Shape(), r.shape(), msg(c.name(), seed, "loss must be a scalar"));
                if (c.nonNegative()) {
                    assertTrue(r.value() >= 0, msg(c.name(), seed, r.dtype() + " loss < 0: " + r.value()));
                }
            }
            assertEquals(DataType.FLOAT64, f64.dtype(), msg(c.name(), seed, "float64 in, float64 loss"));
            assertEquals(DataType.FLOAT32, f32.dtype(), msg(c.name(), seed, "float32 in, float32 loss"));
            assertTrue(maxAbs(f64.grad()) > 0, msg(c.name(), seed, "gradient is zero on a batch with terms"));
            assertEquals(f64.value(), f32.value(), tolerance(TOL32, f64.value()),
                    msg(c.name(), seed, "float32 loss far from float64"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void invariantToPermutingTheBatch(Case c, long seed) {
        Batch batch = Batch.of(seed);
        int[] perm = permutation(new Random(seed * 31 + 7), B);
        if (c.permutation() == Permutation.WITHIN_CLASS_ORDER) {
            perm = keepOrderWithinClasses(perm, batch.y);
        }
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad base = run(m, c, batch.x, batch.y, DataType.FLOAT64);
            ValueAndGrad moved = run(m, c, permuteRows(batch.x, D, perm), permute(batch.y, perm),
                    DataType.FLOAT64);
            assertEquals(base.value(), moved.value(), tolerance(TOL64, base.value()),
                    msg(c.name(), seed, "loss changed under a batch permutation"));
            double[] expected = permuteRows(base.grad(), D, perm);
            assertTrue(maxAbsDiff(expected, moved.grad()) <= tolerance(TOL64, maxAbs(expected)),
                    msg(c.name(), seed, "gradient rows did not follow the permutation (max diff "
                            + maxAbsDiff(expected, moved.grad()) + ")"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void invariantToRenamingLabels(Case c, long seed) {
        Batch batch = Batch.of(seed);
        long[] renamed = rename(batch.y, new Random(seed + 99));
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad base = run(m, c, batch.x, batch.y, DataType.FLOAT64);
            ValueAndGrad other = run(m, c, batch.x, renamed, DataType.FLOAT64);
            assertEquals(base.value(), other.value(), tolerance(TOL64, base.value()),
                    msg(c.name(), seed, "loss changed when labels were renamed to "
                            + java.util.Arrays.toString(renamed)));
            assertTrue(maxAbsDiff(base.grad(), other.grad()) <= tolerance(TOL64, maxAbs(base.grad())),
                    msg(c.name(), seed, "gradient changed when labels were renamed"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("scaleInvariantCases")
    void invariantToRescalingRows(Case c, long seed) {
        Batch batch = Batch.of(seed);
        double[] scales = rowScales(seed);
        double[] scaled = scaleRows(batch.x, scales);
        MetricLoss loss = c.loss();
        try (NDManager m = TestDevice.manager()) {
            double base = valueOf(m, batch.x, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(batch.y)));
            double other = valueOf(m, scaled, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(batch.y)));
            assertEquals(base, other, tolerance(TOL64, base),
                    msg(c.name(), seed, "loss changed when rows were rescaled by positive factors"));
        }
    }

    /** The cases flagged as scale-dependent really are: the rescaling test above can fail. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("scaleDependentCases")
    void scaleDependentLossesSeeTheScale(Case c, long seed) {
        Batch batch = Batch.of(seed);
        double[] scaled = scaleRows(batch.x, rowScales(seed));
        MetricLoss loss = c.loss();
        try (NDManager m = TestDevice.manager()) {
            double base = valueOf(m, batch.x, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(batch.y)));
            double other = valueOf(m, scaled, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(batch.y)));
            assertTrue(Math.abs(base - other) > 1e-6 * Math.max(1, Math.abs(base)),
                    msg(c.name(), seed, "expected a scale-dependent loss, got " + base + " both times"));
        }
    }

    /** Positive factors in [0.2, 5], log-uniform. */
    private static double[] rowScales(long seed) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        double[] s = new double[B];
        for (int i = 0; i < B; i++) {
            s[i] = Math.exp((r.nextDouble() * 2 - 1) * Math.log(5));
        }
        return s;
    }

    private static double[] scaleRows(double[] x, double[] scales) {
        double[] out = x.clone();
        for (int i = 0; i < B; i++) {
            for (int k = 0; k < D; k++) {
                out[i * D + k] *= scales[i];
            }
        }
        return out;
    }

    /** A bijection of the label ids onto distinct random ids in [-500, 500], negatives included. */
    private static long[] rename(long[] y, Random r) {
        Map<Long, Long> map = new HashMap<>();
        Set<Long> used = new HashSet<>();
        long[] out = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            Long id = map.get(y[i]);
            if (id == null) {
                do {
                    id = (long) r.nextInt(1001) - 500;
                } while (id == y[i] || !used.add(id));
                map.put(y[i], id);
            }
            out[i] = id;
        }
        return out;
    }

    /**
     * The permutation whose positions per class are those of {@code perm}, with each class's
     * items placed there in their original order.
     */
    private static int[] keepOrderWithinClasses(int[] perm, long[] y) {
        Map<Long, List<Integer>> items = new HashMap<>();
        for (int i = 0; i < y.length; i++) {
            items.computeIfAbsent(y[i], k -> new ArrayList<>()).add(i);
        }
        Map<Long, Integer> next = new HashMap<>();
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            long label = y[perm[i]];
            int k = next.merge(label, 1, Integer::sum) - 1;
            out[i] = items.get(label).get(k);
        }
        return out;
    }
}
