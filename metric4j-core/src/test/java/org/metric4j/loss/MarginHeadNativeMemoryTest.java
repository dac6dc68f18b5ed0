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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.math.NDTestSupport;
import org.metric4j.loss.HeadCatalog.Case;
import org.metric4j.loss.HeadCatalog.HeadLoss;

/**
 * Forward and backward passes of every classification loss with its head (64 x 32 float32
 * embeddings, 10 classes, gradients wrt embeddings and W) inside an {@link NDScope} leave no
 * native array behind: after 50 warm-up iterations, 150 more keep the number of arrays on the
 * base manager unchanged and the resident set size within 24 MB, as {@link LossNativeMemoryTest}
 * asks of the pair losses.
 */
class MarginHeadNativeMemoryTest {

    private static final int WARMUP = 50;
    private static final int ITERATIONS = 150;
    private static final long MAX_RSS_GROWTH_KB = 24 * 1024;

    static Stream<Case> cases() {
        return HeadCatalog.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void insideNDScopeDoesNotLeak(Case c) throws IOException {
        HeadLoss loss = c.loss();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(64, 32)).toType(DataType.FLOAT32, false);
            NDArray w = m.randomNormal(new Shape(32, 10L * c.subCenters()))
                    .toType(DataType.FLOAT32, false);
            x.setRequiresGradient(true);
            if (c.usesWeights()) {
                w.setRequiresGradient(true);
            }
            long[] y = new long[64];
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 10;
            }
            NDArray labels = m.create(y);
            double last = 0;
            for (int i = 0; i < WARMUP; i++) {
                last = step(c, loss, x, w, labels);
            }
            int arraysBefore = m.getManagedArrays().size();
            long rssBefore = NDTestSupport.rssKb();
            for (int i = 0; i < ITERATIONS; i++) {
                last = step(c, loss, x, w, labels);
            }
            int arraysAfter = m.getManagedArrays().size();
            long rssAfter = NDTestSupport.rssKb();
            assertTrue(Double.isFinite(last) && last > 0, c + ": loss should be positive, got " + last);
            assertEquals(arraysBefore, arraysAfter, c + ": open arrays on the base manager over "
                    + ITERATIONS + " iterations");
            if (rssBefore > 0 && rssAfter > 0) {
                assertTrue(rssAfter - rssBefore <= MAX_RSS_GROWTH_KB, c + ": VmRSS grew by "
                        + (rssAfter - rssBefore) + " kB over " + ITERATIONS + " iterations");
            }
        }
    }

    private static double step(Case c, HeadLoss loss, NDArray x, NDArray w, NDArray labels) {
        try (NDScope scope = new NDScope()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.apply(x, w, labels);
                gc.backward(l);
                assertEquals(DataType.FLOAT32, x.getGradient().getDataType(), "gradient dtype");
                if (c.usesWeights()) {
                    assertEquals(DataType.FLOAT32, w.getGradient().getDataType(), "gradient dtype");
                }
                return l.getFloat();
            }
        }
    }
}
