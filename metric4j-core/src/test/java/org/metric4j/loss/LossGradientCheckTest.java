package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.labelsWithSingleton;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.LossCatalog.Case;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * The float64 autograd gradient of every loss (except Circle, which stops the gradient of its
 * weights on purpose) against central finite differences on an 8 x 4 batch (three classes and a
 * singleton), h = 1e-6. The hinge losses are checked too: on random inputs no term lies within h of
 * its kink, and a term that did would show as a mismatch, never pass silently.
 */
class LossGradientCheckTest {

    private static final long[] SEEDS = {7, 8};
    private static final int B = 8;
    private static final int D = 4;
    private static final double H = 1e-6;
    private static final double RTOL = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : LossCatalog.all()) {
            if (!c.gradientCheck()) {
                continue;
            }
            for (long seed : SEEDS) {
                out.add(Arguments.of(c, seed));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void autogradMatchesFiniteDifferences(Case c, long seed) {
        Random r = new Random(seed);
        double[] x = gaussian(r, B * D);
        long[] y = labelsWithSingleton(r, B, 3);
        MetricLoss loss = c.loss();
        Function<NDArray, NDArray> f = e -> loss.compute(e, e.getManager().create(y));
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad auto = valueAndGrad(m, x, B, D, DataType.FLOAT64, f);
            double[] numeric = centralDifferences(m, x, B, D, H, f);
            double scale = maxAbs(numeric);
            assertTrue(scale > 1e-4, msg(c.name(), seed,
                    "finite-difference gradient is ~0 (" + scale + "): the check would be vacuous"));
            for (int i = 0; i < x.length; i++) {
                double diff = Math.abs(auto.grad()[i] - numeric[i]);
                assertTrue(diff <= RTOL * scale, msg(c.name(), seed, "d loss / d x[" + i / D + "]["
                        + i % D + "]: autograd " + auto.grad()[i] + ", finite differences "
                        + numeric[i] + " (diff " + diff + ", labels " + Arrays.toString(y) + ")"));
            }
        }
    }
}
