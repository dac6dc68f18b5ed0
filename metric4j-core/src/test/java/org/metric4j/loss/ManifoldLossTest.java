package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.array;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.value;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link ManifoldLoss} beyond the fixture's explicit meta classes: the drawn meta classes (every
 * proxy once, seeded, per clock iteration), evaluate against compute, lambdaC = infinity, a
 * single proxy (no term: 0 with a zero gradient), a reference set and bad input rejected.
 */
class ManifoldLossTest {

    private static final int B = 9;
    private static final int D = 4;
    private static final int K = 3;

    @Test
    void drawnMetaClassesHoldEveryProxyAndFollowTheSeedAndTheClock() {
        ManifoldLoss a = ManifoldLoss.builder().optNumProxies(K).optSeed(7).build();
        ManifoldLoss b = ManifoldLoss.builder().optNumProxies(K).optSeed(7).build();
        for (int call = 0; call < 5; call++) {
            long[] m = a.drawMetaClasses(B);
            assertArrayEquals(m, b.drawMetaClasses(B), "same seed, same draws");
            long[] counts = new long[K];
            for (long v : m) {
                counts[(int) v]++;
            }
            assertTrue(Arrays.stream(counts).allMatch(c -> c >= 1), Arrays.toString(m));
        }
        TrainingClock clock = new TrainingClock();
        ManifoldLoss c = ManifoldLoss.builder().optNumProxies(K).optSeed(7).optClock(clock).build();
        long[] first = c.drawMetaClasses(B);
        assertArrayEquals(first, c.drawMetaClasses(B), "one iteration, one draw");
        boolean changed = false;
        for (int i = 0; i < 5; i++) {
            clock.advance();
            changed |= !Arrays.equals(first, c.drawMetaClasses(B));
        }
        assertTrue(changed, "the draws follow the clock");
        clock.set(0);
        assertArrayEquals(first, c.drawMetaClasses(B), "a clock set back draws again what it drew");
        assertThrows(IllegalArgumentException.class, () -> c.drawMetaClasses(K - 1));
    }

    @Test
    void evaluateDrawsWhatComputeWithTheSameMetaClassesGives() {
        double[] x = gaussian(new Random(1), B * D);
        double[] p = gaussian(new Random(2), K * D);
        TrainingClock clock = new TrainingClock();
        clock.set(3);
        ManifoldLoss loss = ManifoldLoss.builder().optNumProxies(K).optSeed(11).optClock(clock).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray e = array(m, x, B, D, DataType.FLOAT64);
            NDArray proxies = array(m, p, K, D, DataType.FLOAT64);
            double evaluated = value(loss.evaluate(new NDList(m.create(new long[B])), new NDList(e, proxies)));
            double twice = value(loss.evaluate(new NDList(m.create(new long[B])), new NDList(e, proxies)));
            double explicit = value(loss.computeWithMetaClasses(e, proxies, m.create(loss.drawMetaClasses(B))));
            assertEquals(explicit, evaluated, 0.0);
            assertEquals(evaluated, twice, 0.0);
            assertTrue(evaluated > 0, "loss " + evaluated);
            double f32 = value(loss.evaluate(null, new NDList(array(m, x, B, D, DataType.FLOAT32),
                    array(m, p, K, D, DataType.FLOAT32))));
            assertEquals(evaluated, f32, 1e-4);
        }
    }

    @Test
    void infiniteLambdaCGivesTheContextLossAlone() {
        double[] x = gaussian(new Random(3), B * D);
        double[] p = gaussian(new Random(4), K * D);
        long[] meta = {0, 1, 2, 0, 1, 2, 2, 1, 0};
        try (NDManager m = TestDevice.manager()) {
            NDArray e = array(m, x, B, D, DataType.FLOAT64);
            NDArray proxies = array(m, p, K, D, DataType.FLOAT64);
            NDArray y = m.create(meta);
            double both = value(ManifoldLoss.builder().optNumProxies(K).build().computeWithMetaClasses(e, proxies, y));
            double intrinsic = value(ManifoldLoss.builder().optNumProxies(K).optLambdaC(0).build()
                    .computeWithMetaClasses(e, proxies, y));
            double twice = value(ManifoldLoss.builder().optNumProxies(K).optLambdaC(2).build()
                    .computeWithMetaClasses(e, proxies, y));
            double context = value(ManifoldLoss.builder().optNumProxies(K).optLambdaC(Double.POSITIVE_INFINITY)
                    .build().computeWithMetaClasses(e, proxies, y));
            assertEquals(both - intrinsic, context, 1e-12);
            assertEquals(intrinsic + 2 * context, twice, 1e-12);
        }
    }

    @Test
    void aSingleProxyHasNoTermAndGivesZeroWithAZeroGradient() {
        double[] x = gaussian(new Random(5), B * D);
        try (NDManager m = TestDevice.manager()) {
            NDArray proxy = array(m, gaussian(new Random(6), D), 1, D, DataType.FLOAT64);
            ManifoldLoss loss = ManifoldLoss.builder().optNumProxies(1).build();
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                NDArray p = proxy.toType(dt, false);
                ValueAndGrad vg = valueAndGrad(m, x, B, D, dt, e -> loss.compute(e, p));
                assertEquals(0.0, vg.value(), 0.0);
                assertEquals(0.0, maxAbs(vg.grad()), 0.0);
            }
        }
    }

    @Test
    void aReferenceSetAndBadInputAreRejected() {
        ManifoldLoss loss = ManifoldLoss.builder().optNumProxies(K).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray e = array(m, gaussian(new Random(7), B * D), B, D, DataType.FLOAT64);
            NDArray p = array(m, gaussian(new Random(8), K * D), K, D, DataType.FLOAT64);
            IllegalArgumentException ref = assertThrows(IllegalArgumentException.class,
                    () -> loss.evaluate(null, new NDList(e, p, e)));
            assertTrue(ref.getMessage().contains("ref_emb"), ref.getMessage());
            IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                    () -> ManifoldLoss.builder().optNumProxies(4).build().compute(e, p));
            assertTrue(rows.getMessage().contains("K = 4") && rows.getMessage().contains("3"), rows.getMessage());
            IllegalArgumentException meta = assertThrows(IllegalArgumentException.class,
                    () -> loss.computeWithMetaClasses(e, p, m.create(new long[] {0, 1, 2, 3, 0, 1, 2, 0, 1})));
            assertTrue(meta.getMessage().contains("metaClasses"), meta.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loss.compute(e, p.toType(DataType.FLOAT32, false)));
            assertFalse(loss.toString().isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> ManifoldLoss.builder().optAlpha(1));
        assertThrows(IllegalArgumentException.class, () -> ManifoldLoss.builder().optLambdaC(-1));
        assertThrows(IllegalArgumentException.class, () -> ManifoldLoss.builder().optNumProxies(0));
        assertThrows(IllegalArgumentException.class, () -> ManifoldLoss.builder().optMargin(Double.NaN));
    }
}
