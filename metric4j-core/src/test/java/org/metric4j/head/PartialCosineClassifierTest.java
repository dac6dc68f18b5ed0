package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.CosFaceLoss;
import org.metric4j.loss.MarginSoftmaxLoss;

/** The partial classifier: equivalence with the full head at r = 1, sampling, update, training. */
class PartialCosineClassifierTest {

    /** Loss, embedding gradient and weight gradient (C x D layout) of one step. */
    private record Step(double loss, double[] xGrad, double[] wGrad) {}

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void rateOneEqualsFullCosineClassifier(long seed) {
        int b = 16;
        int d = 8;
        int c = 12;
        Random rnd = new Random(seed);
        double[] x = gaussian(rnd, b * d);
        double[] w = gaussian(rnd, c * d);
        long[] y = randomLabels(rnd, b, c);
        MarginSoftmaxLoss loss = ArcFaceLoss.builder().build();

        Step full;
        try (NDManager m = TestDevice.manager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray xa = m.create(x, new Shape(b, d));
            NDArray wa = m.create(w, new Shape(c, d));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            NDArray value = loss.compute(ClassScores.of(xa, wa.transpose(), 1), m.create(y));
            gc.backward(value);
            full = new Step(value.getDouble(), xa.getGradient().toDoubleArray(),
                    wa.getGradient().toDoubleArray());
        }

        Step partial;
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, c, d, 1.0, seed, w, DataType.FLOAT64);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xa = m.create(x, new Shape(b, d));
                xa.setRequiresGradient(true);
                SampledBatch batch = head.sample(xa, m.create(y));
                assertArrayEquals(y, batch.labels().toLongArray(), "seed " + seed);
                assertEquals(DataType.FLOAT64, batch.scores().cosine().getDataType());
                NDArray value = loss.compute(batch.scores(), batch.labels());
                gc.backward(value);
                partial = new Step(value.getDouble(), xa.getGradient().toDoubleArray(),
                        batch.rows().getGradient().toDoubleArray());
            }
        }
        assertEquals(full.loss(), partial.loss(), 1e-9, "seed " + seed + ": loss");
        assertClose(full.xGrad(), partial.xGrad(), 1e-9, "seed " + seed + ": embedding gradient");
        assertClose(full.wGrad(), partial.wGrad(), 1e-9, "seed " + seed + ": weight gradient");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void sampledSetHoldsEveryPositiveAndHasRoundRC(long seed) {
        try (NDManager m = TestDevice.manager()) {
            int c = 1000;
            int d = 4;
            PartialCosineClassifier head = head(m, c, d, 0.1, seed, null, DataType.FLOAT32);
            Random rnd = new Random(seed);
            for (int step = 0; step < 5; step++) {
                try (NDScope scope = new NDScope()) {
                    long[] y = randomLabels(rnd, 64, c);
                    NDArray x = m.randomNormal(new Shape(64, d));
                    SampledBatch batch = head.sample(x, m.create(y));
                    long[] classes = batch.classes().toLongArray();
                    String at = "seed " + seed + ", step " + step;
                    assertEquals(100, classes.length, at + ": round(0.1 * 1000) classes");
                    assertEquals(new Shape(64, 100), batch.scores().cosine().getShape(), at);
                    assertEquals(new Shape(100, d), batch.rows().getShape(), at);
                    assertTrue(batch.rows().hasGradient(), at + ": rows must be a leaf");
                    assertStrictlyIncreasingIn(classes, c, at);
                    long[] remapped = batch.labels().toLongArray();
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(y[i], classes[(int) remapped[i]], at + ": label " + i);
                    }
                }
            }
        }
    }

    @Test
    void positivesBeyondTheSampleSizeAreAllKept() {
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, 100, 4, 0.05, 7, null, DataType.FLOAT32);
            long[] y = new long[32];
            for (int i = 0; i < y.length; i++) {
                y[i] = (i * 3) % 100;
            }
            SampledBatch batch = head.sample(m.randomNormal(new Shape(32, 4)), m.create(y));
            long[] classes = batch.classes().toLongArray();
            long[] expected = Arrays.stream(y).distinct().sorted().toArray();
            assertArrayEquals(expected, classes, "32 distinct labels > round(0.05 * 100) = 5");
        }
    }

    @Test
    void samplingIsUniformOverTheOtherClassesAndSeeded() {
        PartialCosineClassifier head = PartialCosineClassifier.builder().setNumClasses(20)
                .setEmbeddingSize(2).optSampleRate(0.3).optSeed(11).build();
        long[] labels = {0, 1, 1};
        int draws = 20000;
        int[] count = new int[20];
        for (int t = 0; t < draws; t++) {
            long[] classes = head.sampleClasses(labels);
            assertEquals(6, classes.length);
            for (long cl : classes) {
                count[(int) cl]++;
            }
        }
        assertEquals(draws, count[0]);
        assertEquals(draws, count[1]);
        double expected = draws * 4.0 / 18;
        double sd = Math.sqrt(draws * (4.0 / 18) * (14.0 / 18));
        for (int cl = 2; cl < 20; cl++) {
            assertEquals(expected, count[cl], 5 * sd, "class " + cl + " drawn " + count[cl]);
        }
        PartialCosineClassifier same = PartialCosineClassifier.builder().setNumClasses(20)
                .setEmbeddingSize(2).optSampleRate(0.3).optSeed(11).build();
        PartialCosineClassifier other = PartialCosineClassifier.builder().setNumClasses(20)
                .setEmbeddingSize(2).optSampleRate(0.3).optSeed(12).build();
        PartialCosineClassifier fresh = PartialCosineClassifier.builder().setNumClasses(20)
                .setEmbeddingSize(2).optSampleRate(0.3).optSeed(11).build();
        boolean differs = false;
        for (int t = 0; t < 10; t++) {
            long[] a = same.sampleClasses(labels);
            assertArrayEquals(a, fresh.sampleClasses(labels), "same seed, draw " + t);
            differs |= !Arrays.equals(a, other.sampleClasses(labels));
        }
        assertTrue(differs, "seeds 11 and 12 should give different samples");
    }

    /** With a clock, the sample of a step depends on (seed, iteration) only: a resumed run draws the same. */
    @Test
    void withAClockTheSampleIsAFunctionOfTheIteration() {
        long[] labels = {0, 3, 3, 7};
        org.metric4j.schedule.TrainingClock clock = new org.metric4j.schedule.TrainingClock();
        PartialCosineClassifier whole = PartialCosineClassifier.builder().setNumClasses(40)
                .setEmbeddingSize(2).optSampleRate(0.25).optSeed(5).optClock(clock).build();
        java.util.List<long[]> draws = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            draws.add(whole.sampleClasses(labels));
            clock.advance();
        }
        assertTrue(draws.stream().map(Arrays::toString).distinct().count() > 1, "the iterations should differ");
        org.metric4j.schedule.TrainingClock resumedClock = new org.metric4j.schedule.TrainingClock();
        resumedClock.set(3);
        PartialCosineClassifier resumed = PartialCosineClassifier.builder().setNumClasses(40)
                .setEmbeddingSize(2).optSampleRate(0.25).optSeed(5).optClock(resumedClock).build();
        for (int t = 3; t < 6; t++) {
            assertArrayEquals(draws.get(t), resumed.sampleClasses(labels), "iteration " + t);
            resumedClock.advance();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void updateIsSgdMomentumOnTheSampledRowsOnly(long seed) {
        int c = 50;
        int d = 6;
        int b = 8;
        double lr = 0.1;
        double mu = 0.9;
        double wd = 0.01;
        Random rnd = new Random(seed);
        double[] w = gaussian(rnd, c * d);
        double[] v = new double[c * d];
        MarginSoftmaxLoss loss = CosFaceLoss.builder().build();
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = PartialCosineClassifier.builder().setNumClasses(c)
                    .setEmbeddingSize(d).optSampleRate(0.2).optSeed(seed).optMomentum(mu)
                    .optWeightDecay(wd).optInitializer(fixed(w)).build();
            head.initialize(m, DataType.FLOAT64);
            for (int step = 0; step < 3; step++) {
                String at = "seed " + seed + ", step " + step;
                long[] classes;
                double[] grad;
                try (NDScope scope = new NDScope();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = m.create(gaussian(rnd, b * d), new Shape(b, d));
                    SampledBatch batch = head.sample(x, m.create(randomLabels(rnd, b, c)));
                    gc.backward(loss.compute(batch.scores(), batch.labels()));
                    classes = batch.classes().toLongArray();
                    grad = batch.rows().getGradient().toDoubleArray();
                    head.update(batch, lr);
                }
                assertEquals(10, classes.length, at);
                for (int k = 0; k < classes.length; k++) {
                    int row = (int) classes[k];
                    for (int j = 0; j < d; j++) {
                        int i = row * d + j;
                        double g = grad[k * d + j] + wd * w[i];
                        v[i] = mu * v[i] + g;
                        w[i] -= lr * v[i];
                    }
                }
                double[] wAfter = head.weight().getArray().toDoubleArray();
                double[] vAfter = head.momentumBuffer().getArray().toDoubleArray();
                // exact where not sampled (untouched), rounding-close where sampled
                assertClose(w, wAfter, 1e-12, at + ": weights");
                assertClose(v, vAfter, 1e-12, at + ": momentum");
                Set<Long> sampled = new HashSet<>();
                for (long cl : classes) {
                    sampled.add(cl);
                }
                for (int row = 0; row < c; row++) {
                    if (!sampled.contains((long) row)) {
                        for (int j = 0; j < d; j++) {
                            assertEquals(w[row * d + j], wAfter[row * d + j], 0.0,
                                    at + ": row " + row + " was not sampled and must not change");
                        }
                    }
                }
            }
        }
    }

    @Test
    void toyProblemTrains() {
        long seed = 5;
        int c = 1000;
        int d = 32;
        int b = 128;
        Random rnd = new Random(seed);
        float[] prototypes = new float[c * d];
        for (int i = 0; i < prototypes.length; i++) {
            prototypes[i] = (float) rnd.nextGaussian();
        }
        MarginSoftmaxLoss loss = ArcFaceLoss.builder().build();
        double[] losses = new double[50];
        try (NDManager m = TestDevice.manager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            PartialCosineClassifier head = head(m, c, d, 0.1, seed, null, DataType.FLOAT32);
            for (int step = 0; step < losses.length; step++) {
                long[] y = randomLabels(rnd, b, c);
                float[] x = new float[b * d];
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < d; j++) {
                        x[i * d + j] = prototypes[(int) y[i] * d + j]
                                + 0.5f * (float) rnd.nextGaussian();
                    }
                }
                try (NDScope scope = new NDScope();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    SampledBatch batch = head.sample(m.create(x, new Shape(b, d)), m.create(y));
                    NDArray value = loss.compute(batch.scores(), batch.labels());
                    gc.backward(value);
                    head.update(batch, 0.1);
                    losses[step] = value.getFloat();
                }
            }
        }
        double first = mean(losses, 0, 5);
        double last = mean(losses, 45, 50);
        assertTrue(Double.isFinite(last), "seed " + seed + ": losses " + Arrays.toString(losses));
        assertTrue(last < 0.5 * first, "seed " + seed + ": the loss on fresh batches should halve"
                + " over 50 steps, first 5 " + first + ", last 5 " + last + ": "
                + Arrays.toString(losses));
    }

    @Test
    void blockForwardWithLabelsReturnsTheBatchAndParametersRoundTrip() throws Exception {
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, 30, 4, 0.2, 3, null, DataType.FLOAT32);
            NDList out = head.forward(new ParameterStore(m, false),
                    new NDList(m.randomNormal(new Shape(5, 4))),
                    new NDList(m.create(new long[] {0, 29, 3, 3, 7})), null);
            SampledBatch batch = SampledBatch.fromList(out);
            assertEquals(6, batch.numSampled());
            assertEquals(new Shape(5, 6), batch.scores().cosine().getShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> head.forward(new ParameterStore(m, false),
                            new NDList(m.randomNormal(new Shape(5, 4))), false));
            assertTrue(e.getMessage().contains("labels"), e.getMessage());

            head.momentumBuffer().getArray().addi(1.5f);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            head.saveParameters(new DataOutputStream(bytes));
            PartialCosineClassifier copy = PartialCosineClassifier.builder().setNumClasses(30)
                    .setEmbeddingSize(4).build();
            copy.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertArrayEquals(head.weight().getArray().toFloatArray(),
                    copy.weight().getArray().toFloatArray());
            assertArrayEquals(head.momentumBuffer().getArray().toFloatArray(),
                    copy.momentumBuffer().getArray().toFloatArray());
            assertFalse(copy.weight().requiresGradient());
        }
    }

    @Test
    void badArgumentsNameTheArgumentAndValue() {
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(4).optSampleRate(0).build(), "sampleRate", "0.0");
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(4).optSampleRate(1.5).build(), "sampleRate", "1.5");
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(4).optSampleRate(Double.NaN).build(), "sampleRate", "NaN");
        assertMessage(() -> PartialCosineClassifier.builder().setEmbeddingSize(4).build(),
                "numClasses", "0");
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(-2).build(), "embeddingSize", "-2");
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(4).optMomentum(1).build(), "momentum", "1.0");
        assertMessage(() -> PartialCosineClassifier.builder().setNumClasses(10)
                .setEmbeddingSize(4).optWeightDecay(-1e-4).build(), "weightDecay", "-1.0E-4");
        try (NDManager m = TestDevice.manager()) {
            PartialCosineClassifier head = head(m, 10, 4, 0.5, 1, null, DataType.FLOAT32);
            NDArray x = m.randomNormal(new Shape(3, 4));
            assertMessage(() -> head.sample(x, m.create(new long[] {0, 10, 2})), "labels", "10");
            assertMessage(() -> head.sample(x, m.create(new long[] {0, -1, 2})), "labels", "-1");
            assertMessage(() -> head.sample(x, m.create(new long[] {0, 1})), "labels", "2");
            assertMessage(() -> head.sample(m.randomNormal(new Shape(3, 7)),
                    m.create(new long[] {0, 1, 2})), "embeddings", "(3, 7)");
            assertMessage(() -> head.sample(x.toType(DataType.FLOAT64, false),
                    m.create(new long[] {0, 1, 2})), "embeddings", "float64");
            SampledBatch batch = head.sample(x, m.create(new long[] {0, 1, 2}));
            assertMessage(() -> head.update(batch, 0), "learningRate", "0.0");
            PartialCosineClassifier fresh = PartialCosineClassifier.builder().setNumClasses(10)
                    .setEmbeddingSize(4).build();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> fresh.sample(x, m.create(new long[] {0, 1, 2})));
            assertTrue(e.getMessage().contains("initialize"), e.getMessage());
        }
    }

    @Test
    void toStringShowsTheConfiguration() {
        String s = PartialCosineClassifier.builder().setNumClasses(1000).setEmbeddingSize(32)
                .build().toString();
        assertEquals("PartialCosineClassifier(numClasses=1000, embeddingSize=32, sampleRate=0.1,"
                + " momentum=0.9, weightDecay=5.0E-4, seed=0, update=SELF)", s);
    }

    // ---- helpers

    private static PartialCosineClassifier head(NDManager m, int c, int d, double rate, long seed,
            double[] w, DataType dtype) {
        PartialCosineClassifier.Builder builder = PartialCosineClassifier.builder()
                .setNumClasses(c).setEmbeddingSize(d).optSampleRate(rate).optSeed(seed);
        if (w != null) {
            builder.optInitializer(fixed(w));
        }
        PartialCosineClassifier head = builder.build();
        head.initialize(m, dtype);
        return head;
    }

    private static Initializer fixed(double[] w) {
        return (manager, shape, dtype) -> manager.create(w, shape).toType(dtype, false);
    }

    private static double[] gaussian(Random rnd, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = rnd.nextGaussian();
        }
        return out;
    }

    private static long[] randomLabels(Random rnd, int b, int c) {
        long[] y = new long[b];
        for (int i = 0; i < b; i++) {
            y[i] = rnd.nextInt(c);
        }
        return y;
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }

    private static void assertStrictlyIncreasingIn(long[] v, int c, String at) {
        for (int i = 0; i < v.length; i++) {
            assertTrue(v[i] >= 0 && v[i] < c, at + ": class " + v[i] + " outside [0, " + c + ")");
            if (i > 0) {
                assertNotEquals(v[i - 1], v[i], at + ": duplicate class " + v[i]);
                assertTrue(v[i - 1] < v[i], at + ": classes must ascend");
            }
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call,
            String argument, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(argument) && e.getMessage().contains(value),
                "message should name " + argument + " and " + value + ": " + e.getMessage());
    }
}
