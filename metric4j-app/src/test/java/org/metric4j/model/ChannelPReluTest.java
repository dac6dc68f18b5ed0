package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.DoubleBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;

/**
 * {@link ChannelPRelu} is PyTorch's {@code nn.PReLU(C)} in value and gradient, in float64 and
 * exactly (the input gradient to the last bit), in both of its formulations (training and
 * inference mode): \( y = x \) for \( x > 0 \), else \( a_c x \); \( \partial y / \partial x = 1 \) or \(
 * a_c \) (\( a_c \) at \( x = 0 \), as PyTorch's prelu backward); \( \partial L / \partial a_c =
 * \sum_{x \le 0} g x \). Inputs include exact zeros and slopes of both signs; a GC runs between
 * forward and backward, so a freed constant would show.
 */
class ChannelPReluTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void valuesAndGradientsArePyTorchsPRelu(long seed) {
        int n = 2;
        int c = 3;
        int hw = 4;
        Random rnd = new Random(seed);
        double[] x = new double[n * c * hw];
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 5 == 0 ? 0.0 : rnd.nextGaussian();
            g[i] = rnd.nextGaussian();
        }
        double[] a = {0.25, -0.3, 1.7};
        double[] y = new double[x.length];
        double[] dx = new double[x.length];
        double[] da = new double[c];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            y[i] = x[i] > 0 ? x[i] : a[ch] * x[i];
            dx[i] = x[i] > 0 ? g[i] : a[ch] * g[i];
            if (x[i] <= 0) {
                da[ch] += g[i] * x[i];
            }
        }
        try (NDManager manager = TestDevice.manager()) {
            Shape shape = new Shape(n, c, 2, 2);
            ChannelPRelu prelu = new ChannelPRelu();
            prelu.initialize(manager, DataType.FLOAT64, shape);
            Parameter alpha = prelu.getParameters().get("alpha");
            assertEquals(new Shape(c), alpha.getArray().getShape());
            alpha.getArray().set(DoubleBuffer.wrap(a));
            NDArray in = manager.create(x, shape);
            in.setRequiresGradient(true);
            NDArray grad = manager.create(g, shape);
            double[] out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray result = prelu.forward(new ParameterStore(manager, false), new NDList(in), true).head();
                out = result.toDoubleArray();
                NDArray loss = result.mul(grad).sum();
                System.gc();
                gc.backward(loss);
            }
            String msg = "seed " + seed;
            assertArrayEquals(y, out, 0.0, msg + ": values");
            // g a + (g - g a) for x > 0: equal to g up to the last bit
            assertArrayEquals(dx, in.getGradient().toDoubleArray(), 1e-15 * 8, msg + ": d/dx");
            assertArrayEquals(da, alpha.getArray().getGradient().toDoubleArray(), 1e-12, msg + ": d/da");
            double[] eval = prelu.forward(new ParameterStore(manager, false), new NDList(in), false).head()
                    .toDoubleArray();
            assertArrayEquals(y, eval, 0.0, msg + ": inference values");
        }
    }

    @Test
    void inferenceIsExactForInfinitiesAndNaN() {
        try (NDManager manager = TestDevice.manager()) {
            Shape shape = new Shape(1, 2, 1, 3);
            ChannelPRelu prelu = new ChannelPRelu();
            prelu.initialize(manager, DataType.FLOAT64, shape);
            prelu.getParameters().get("alpha").getArray().set(DoubleBuffer.wrap(new double[] {0.5, -2}));
            double inf = Double.POSITIVE_INFINITY;
            NDArray x = manager.create(new double[] {inf, -inf, Double.NaN, inf, -inf, -1}, shape);
            double[] y = prelu.forward(new ParameterStore(manager, false), new NDList(x), false).head().toDoubleArray();
            assertArrayEquals(new double[] {inf, -inf, Double.NaN, inf, inf, 2}, y, 0.0);
        }
    }

    @Test
    void inferenceWithSlopesInZeroOneIsTheWhereFormBitForBit() {
        try (NDManager manager = TestDevice.manager()) {
            Shape shape = new Shape(1, 3, 1, 7);
            ChannelPRelu prelu = new ChannelPRelu();
            prelu.initialize(manager, DataType.FLOAT64, shape);
            double[] a = {1.0, 0.3, Double.MIN_VALUE};
            prelu.getParameters().get("alpha").getArray().set(DoubleBuffer.wrap(a));
            double inf = Double.POSITIVE_INFINITY;
            double[] v = {inf, -inf, Double.NaN, 0.0, -0.0, -1.5e-310, 2.5};
            double[] x = new double[21];
            double[] want = new double[21];
            for (int i = 0; i < x.length; i++) {
                x[i] = v[i % 7];
                want[i] = x[i] > 0 ? x[i] : a[i / 7] * x[i];
            }
            double[] y = prelu.forward(new ParameterStore(manager, false), new NDList(manager.create(x, shape)), false)
                    .head().toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToLongBits(want[i] == 0 ? 0.0 : want[i]),
                        Double.doubleToLongBits(y[i] == 0 ? 0.0 : y[i]), "x=" + x[i] + ", a=" + a[i / 7]);
            }
        }
    }
}
