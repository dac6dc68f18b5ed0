package org.metric4j.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;

/**
 * The constant operands of {@link NDMath} survive a garbage collection between forward and
 * backward. DJL 0.35.1's {@code x.mul(3.0)} does not: its 0-dim operand lives in a Java buffer
 * freed after the op, and the product's backward reads it (measured: gradient 0 instead of 3).
 */
class ConstantOperandsTest {

    enum Dtype {
        FLOAT32(DataType.FLOAT32), FLOAT64(DataType.FLOAT64);

        final DataType type;

        Dtype(DataType type) {
            this.type = type;
        }
    }

    private static final double[] X = {-1.5, -0.25, 0.5, 2.0};

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void gradientsThroughConstantsSurviveAGarbageCollection(Dtype dtype) {
        // d/dx of sum(f(x)), analytic, per op
        check(dtype.type, x -> NDMath.mul(x, 3.0), v -> 3.0, "mul");
        check(dtype.type, x -> NDMath.div(x, 4.0), v -> 0.25, "div");
        check(dtype.type, x -> NDMath.pow(x.abs().add(1.0), -1), v -> -Math.signum(v)
                / ((Math.abs(v) + 1) * (Math.abs(v) + 1)), "pow");
        check(dtype.type, x -> NDMath.maximum(x, 0.0), v -> v > 0 ? 1.0 : 0.0, "maximum");
        check(dtype.type, x -> NDMath.minimum(x, 0.0), v -> v < 0 ? 1.0 : 0.0, "minimum");
        check(dtype.type, x -> NDMath.times(x.sum(), 0.5), v -> 0.5, "times");
        check(dtype.type, NDMath::zeroLoss, v -> 0.0, "zeroLoss");
    }

    @ParameterizedTest
    @EnumSource(Dtype.class)
    void constantsKeepTheDtypeAndAreIndependentOfTheirSource(Dtype dtype) {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(X).toType(dtype.type, false);
            NDArray c = NDMath.constant(x, 0.1);
            assertEquals(dtype.type, c.getDataType());
            assertEquals(new Shape(), c.getShape());
            assertEquals(dtype.type == DataType.FLOAT32 ? (double) 0.1f : 0.1,
                    c.toType(DataType.FLOAT64, false).getDouble(), 0.0);
            assertEquals(dtype.type, NDMath.mul(x.sum(), 2.0).getDataType(),
                    "a 0-dim times a constant keeps the dtype");
        }
    }

    private static void check(DataType dtype, Function<NDArray, NDArray> f,
            java.util.function.DoubleUnaryOperator expected, String what) {
        try (NDManager m = TestDevice.manager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = m.create(X).toType(dtype, false);
            x.setRequiresGradient(true);
            NDArray y = f.apply(x).sum();
            NDTestSupport.scrubReleasedBuffers(m);
            gc.backward(y);
            double[] g = x.getGradient().toType(DataType.FLOAT64, true).toDoubleArray();
            for (int i = 0; i < X.length; i++) {
                assertEquals(expected.applyAsDouble(X[i]), g[i], 1e-6,
                        what + " [" + dtype + "]: gradient at x = " + X[i]);
            }
        }
    }
}
