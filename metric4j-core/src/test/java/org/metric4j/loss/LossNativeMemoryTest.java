package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.metric4j.math.NDTestSupport;
import org.metric4j.TestDevice;

/**
 * Forward and backward passes of {@link TripletMarginLoss} (64 x 32 float32, all triplets) inside
 * an {@link NDScope} leave no native array behind: after a warm-up, 300 more iterations keep the
 * number of arrays on the base manager unchanged (the exact check; without the scope it grows by
 * about 75 arrays per iteration) and the resident set size within 24 MB (a few MB are seen; the
 * bound leaves room for allocator and JIT noise).
 */
class LossNativeMemoryTest {

    private static final int WARMUP = 100;
    private static final int ITERATIONS = 300;
    /** Allowed VmRSS growth over the measured iterations. */
    private static final long MAX_RSS_GROWTH_KB = 24 * 1024;

    @Test
    void tripletMarginLossInsideNDScopeDoesNotLeak() throws IOException {
        TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(0.2).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new Shape(64, 32)).toType(DataType.FLOAT32, false);
            x.setRequiresGradient(true);
            long[] y = new long[64];
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 8;
            }
            NDArray labels = m.create(y);
            double last = 0;
            for (int i = 0; i < WARMUP; i++) {
                last = step(loss, x, labels);
            }
            int arraysBefore = m.getManagedArrays().size();
            long rssBefore = NDTestSupport.rssKb();
            for (int i = 0; i < ITERATIONS; i++) {
                last = step(loss, x, labels);
            }
            int arraysAfter = m.getManagedArrays().size();
            long rssAfter = NDTestSupport.rssKb();
            assertTrue(Double.isFinite(last) && last > 0, "loss should be positive, got " + last);
            assertEquals(arraysBefore, arraysAfter, "open arrays on the base manager over "
                    + ITERATIONS + " iterations");
            if (rssBefore > 0 && rssAfter > 0) {
                assertTrue(rssAfter - rssBefore <= MAX_RSS_GROWTH_KB, "VmRSS grew by "
                        + (rssAfter - rssBefore) + " kB over " + ITERATIONS + " iterations");
            }
        }
    }

    /** One forward and backward pass; every array it creates is closed by the scope. */
    private static double step(TripletMarginLoss loss, NDArray x, NDArray labels) {
        try (NDScope scope = new NDScope()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.compute(x, labels);
                gc.backward(l);
                NDArray g = x.getGradient();
                assertEquals(DataType.FLOAT32, g.getDataType(), "gradient dtype");
                return l.getFloat();
            }
        }
    }
}
