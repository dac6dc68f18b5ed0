package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.loss.LossCatalog.Case;
import org.metric4j.math.NDTestSupport;

/**
 * Bad inputs and bad configuration: every loss rejects them with an IllegalArgumentException
 * whose message names the argument and the offending value.
 */
class LossInputValidationTest {

    static Stream<Case> cases() {
        return LossCatalog.all().stream();
    }

    /** Runs {@code call} on a fresh manager and returns the message of the exception it must throw. */
    private static String rejection(Case c, BiFunction<NDManager, MetricLoss, Object> call) {
        MetricLoss loss = c.loss();
        try (NDManager m = TestDevice.manager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> call.apply(m, loss), c.name() + ": expected IllegalArgumentException");
            assertTrue(e.getMessage() != null, c.name() + ": exception without message");
            return e.getMessage();
        }
    }

    private static void assertMentions(Case c, String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p),
                    c.name() + ": message should mention '" + p + "', was: " + message);
        }
    }

    private static NDArray labels(NDManager m, long... y) {
        return m.create(y);
    }

    private static NDArray embeddings(NDManager m, int b, int d) {
        return m.randomNormal(new Shape(b, d)).toType(DataType.FLOAT64, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void threeDimensionalEmbeddings(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                m.randomNormal(new Shape(4, 3, 2)), labels(m, 0, 0, 1, 1)));
        assertMentions(c, msg, "embeddings", "(4, 3, 2)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneDimensionalEmbeddings(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                m.randomNormal(new Shape(4)), labels(m, 0, 0, 1, 1)));
        assertMentions(c, msg, "embeddings", "(4)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void labelsOfWrongLength(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                embeddings(m, 6, 3), labels(m, 0, 0, 1, 1, 2)));
        assertMentions(c, msg, "labels", "5", "6");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void twoDimensionalLabels(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                embeddings(m, 4, 3), m.create(new long[] {0, 0, 1, 1}, new Shape(4, 1))));
        assertMentions(c, msg, "labels", "(4, 1)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nonIntegerFloatLabels(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                embeddings(m, 4, 3), m.create(new float[] {0f, 0f, 1.5f, 1f})));
        assertMentions(c, msg, "labels", "1.5");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nanInEmbeddings(Case c) {
        String msg = rejection(c, (m, loss) -> {
            double[] x = new double[12];
            x[7] = Double.NaN;
            return loss.compute(m.create(x, new Shape(4, 3)), labels(m, 0, 0, 1, 1));
        });
        assertMentions(c, msg, "embeddings", "NaN");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void emptyBatch(Case c) {
        String msg = rejection(c, (m, loss) -> loss.compute(
                m.zeros(new Shape(0, 3), DataType.FLOAT32), m.zeros(new Shape(0), DataType.INT64)));
        assertMentions(c, msg, "embeddings", "(0, 3)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluateWithoutPredictions(Case c) {
        String msg = rejection(c, (m, loss) -> loss.evaluate(new NDList(labels(m, 0, 1)), new NDList()));
        assertMentions(c, msg, "predictions");
    }

    /** Integer-valued float labels and INT32 labels are accepted and mean the same as INT64. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void integerValuedLabelsOfOtherTypesAreAccepted(Case c) {
        MetricLoss loss = c.loss();
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.create(NDTestSupport.gaussian(new java.util.Random(3), 18), new Shape(6, 3));
            double ref = NDTestSupport.value(loss.compute(x, m.create(new long[] {0, 0, 1, 1, 2, 2})));
            double f32 = NDTestSupport.value(loss.compute(x, m.create(new float[] {0, 0, 1, 1, 2, 2})));
            double i32 = NDTestSupport.value(loss.compute(x, m.create(new int[] {0, 0, 1, 1, 2, 2})));
            double viaEvaluate = NDTestSupport.value(loss.evaluate(
                    new NDList(m.create(new long[] {0, 0, 1, 1, 2, 2})), new NDList(x)));
            assertEquals(ref, f32, 0.0, c.name() + ": float32 labels");
            assertEquals(ref, i32, 0.0, c.name() + ": int32 labels");
            assertEquals(ref, viaEvaluate, 0.0, c.name() + ": evaluate(labels, predictions)");
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, -1e-9, Double.NaN, Double.POSITIVE_INFINITY})
    void tripletMarginRejectsNegativeOrNonFiniteMargin(double margin) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TripletMarginLoss.builder().optMargin(margin));
        assertTrue(e.getMessage().contains("margin") && e.getMessage().contains(String.valueOf(margin)),
                "margin " + margin + ": " + e.getMessage());
    }

    @Test
    void tripletMarginAcceptsZeroMargin() {
        TripletMarginLoss.builder().optMargin(0).build();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY})
    void temperatureMustBePositive(double t) {
        for (Runnable r : new Runnable[] {() -> NTXentLoss.builder().optTemperature(t), () -> SupConLoss.builder().optTemperature(t)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run,
                    "temperature " + t);
            assertTrue(e.getMessage().contains("temperature")
                            && e.getMessage().contains(String.valueOf(t)),
                    "temperature " + t + ": " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 90, -10, 120, 180, Double.NaN})
    void angularAlphaMustLieStrictlyBetween0And90Degrees(double alpha) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AngularLoss.builder().optAlphaDegrees(alpha), "alpha " + alpha);
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains(String.valueOf(alpha)),
                "alpha " + alpha + ": " + e.getMessage());
    }

    @Test
    void angularAcceptsTheOpenInterval() {
        assertTrue(AngularLoss.builder().optAlphaDegrees(0.7).build().toString().contains("0.7"));
        assertTrue(AngularLoss.builder().optAlphaDegrees(89.9).build().toString().contains("89.9"));
    }
}
