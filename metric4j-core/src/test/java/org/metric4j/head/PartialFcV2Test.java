package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.MarginSoftmaxLoss;
import org.metric4j.schedule.TrainingClock;

/**
 * PartialFC v2 ({@link PartialCosineClassifier.Update#OPTIMIZER}): the gradient reaches the
 * trainable weight through the gather, is zero outside the sample and equals the gradient of the
 * same scores on the sampled rows; int(r C) classes; the sample is a function of the clock.
 */
class PartialFcV2Test {

    private static PartialCosineClassifier head(NDManager m, int c, int d, double rate, double[] w,
            TrainingClock clock) {
        PartialCosineClassifier.Builder b = PartialCosineClassifier.builder().setNumClasses(c).setEmbeddingSize(d)
                .optSampleRate(rate).optSeed(7).optUpdate(PartialCosineClassifier.Update.OPTIMIZER)
                .optInitializer((manager, shape, dtype) -> manager.create(w, shape).toType(dtype, false));
        if (clock != null) {
            b.optClock(clock);
        }
        PartialCosineClassifier head = b.build();
        head.initialize(m, DataType.FLOAT64);
        return head;
    }

    @Test
    void theWeightGradientIsTheSampledRowsGradientScatteredIntoZeros() {
        int b = 6;
        int d = 5;
        int c = 20;
        Random rnd = new Random(3);
        double[] x = new double[b * d];
        double[] w = new double[c * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        long[] y = {3, 3, 11, 0, 19, 11};
        MarginSoftmaxLoss loss = ArcFaceLoss.builder().build();
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, c, d, 0.3, w, null);
            assertTrue(head.weight().requiresGradient());
            assertNull(head.momentumBuffer());
            assertEquals(6, head.sampleSize(), "int(0.3 * 20)");
            long[] classes;
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xa = m.create(x, new Shape(b, d));
                SampledBatch batch = head.sample(xa, m.create(y));
                classes = batch.classes().toLongArray();
                NDArray l = loss.compute(batch.scores(), batch.labels());
                value = l.getDouble();
                gc.backward(l);
            }
            assertEquals(6, classes.length);
            for (long label : y) {
                assertTrue(java.util.Arrays.binarySearch(classes, label) >= 0, "label " + label + " sampled");
            }
            double[] grad = head.weight().getArray().getGradient().toDoubleArray();

            // the same scores on a leaf copy of the sampled rows
            double[] expected;
            double expectedValue;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray rows = m.create(w, new Shape(c, d)).get(new NDIndex("{}", m.create(classes)));
                rows.setRequiresGradient(true);
                long[] remapped = new long[b];
                for (int i = 0; i < b; i++) {
                    remapped[i] = java.util.Arrays.binarySearch(classes, y[i]);
                }
                NDArray l = loss.compute(ClassScores.of(m.create(x, new Shape(b, d)), rows.transpose(), 1),
                        m.create(remapped));
                expectedValue = l.getDouble();
                gc.backward(l);
                expected = rows.getGradient().toDoubleArray();
            }
            assertEquals(expectedValue, value, 1e-12);
            int s = 0;
            double nonzero = 0;
            for (int k = 0; k < c; k++) {
                boolean sampled = s < classes.length && classes[s] == k;
                for (int j = 0; j < d; j++) {
                    if (sampled) {
                        assertEquals(expected[s * d + j], grad[k * d + j], 1e-12, "class " + k);
                        nonzero += Math.abs(grad[k * d + j]);
                    } else {
                        assertEquals(0.0, grad[k * d + j], "class " + k + " was not sampled");
                    }
                }
                if (sampled) {
                    s++;
                }
            }
            assertTrue(nonzero > 1e-3, "the sampled rows get a gradient");
            assertThrows(IllegalStateException.class, () -> head.update(null, 0.1));
        }
    }

    @Test
    void theSampleIsAFunctionOfTheClockIteration() {
        int c = 50;
        int d = 4;
        double[] w = new double[c * d];
        java.util.Arrays.fill(w, 0.1);
        long[] y = {1, 2};
        TrainingClock clock = new TrainingClock();
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, c, d, 0.2, w, clock);
            NDArray x = m.ones(new Shape(2, d), DataType.FLOAT64);
            clock.set(5);
            long[] a = head.sample(x, m.create(y)).classes().toLongArray();
            clock.set(6);
            long[] b = head.sample(x, m.create(y)).classes().toLongArray();
            clock.set(5);
            long[] again = head.sample(x, m.create(y)).classes().toLongArray();
            assertArrayEquals(a, again);
            assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
            assertEquals(10, a.length);
        }
    }
}
