package org.metric4j.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.metric4j.TestDevice;

/** {@link Inputs}: every rejection names the argument and the offending value. */
class InputsTest {

    private NDManager m;

    @BeforeEach
    void open() {
        m = TestDevice.manager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private static void rejects(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void embeddingsAccepted() {
        assertEquals(4, Inputs.embeddings("x", m.ones(new Shape(4, 3))));
        assertEquals(2, Inputs.embeddings("x", m.ones(new Shape(2, 5), DataType.FLOAT64)));
    }

    @Test
    void embeddingsRejected() {
        rejects(() -> Inputs.embeddings("emb", null), "emb", "null");
        rejects(() -> Inputs.embeddings("emb", m.ones(new Shape(2, 3, 4))), "emb", "(2, 3, 4)");
        rejects(() -> Inputs.embeddings("emb", m.ones(new Shape(3))), "emb", "(3)");
        rejects(() -> Inputs.embeddings("emb", m.ones(new Shape(0, 3))), "emb", "(0, 3)");
        rejects(() -> Inputs.embeddings("emb", m.ones(new Shape(3, 0))), "emb", "(3, 0)");
        rejects(() -> Inputs.embeddings("emb", m.ones(new Shape(3, 2), DataType.INT32)), "emb", "int32");
        NDArray nan = m.create(new float[] {1, 2, Float.NaN, 4}, new Shape(2, 2));
        rejects(() -> Inputs.embeddings("emb", nan), "emb", "NaN");
    }

    @Test
    void labelsConvertedToInt64() {
        NDArray fromFloat = Inputs.labels("y", m.create(new float[] {2, 0, -1}), 3);
        assertEquals(DataType.INT64, fromFloat.getDataType());
        assertArrayEquals(new long[] {2, 0, -1}, fromFloat.toLongArray());
        NDArray fromInt = Inputs.labels("y", m.create(new int[] {5, 6}), 2);
        assertEquals(DataType.INT64, fromInt.getDataType());
        assertArrayEquals(new long[] {5, 6}, fromInt.toLongArray());
    }

    @Test
    void labelsRejected() {
        rejects(() -> Inputs.labels("y", null, 3), "y", "null");
        rejects(() -> Inputs.labels("y", m.create(new long[] {0, 1}, new Shape(1, 2)), 2), "y", "(1, 2)");
        rejects(() -> Inputs.labels("y", m.create(new long[] {0, 1}), 3), "y", "2", "3");
        rejects(() -> Inputs.labels("y", m.create(new double[] {0, 1, 2.25}), 3), "y", "2.25", "index 2");
        rejects(() -> Inputs.labels("y", m.create(new float[] {Float.NaN, 1}), 2), "y", "NaN", "index 0");
        rejects(() -> Inputs.labels("y", m.create(new float[] {1, Float.POSITIVE_INFINITY}), 2), "y",
                "Infinity", "index 1");
        rejects(() -> Inputs.labels("y", m.create(new boolean[] {true, false}), 2), "y", "boolean");
    }

    @Test
    void scalars() {
        assertEquals(0.5, Inputs.positive("t", 0.5));
        rejects(() -> Inputs.positive("t", 0), "t", "0.0");
        rejects(() -> Inputs.positive("t", Double.NaN), "t", "NaN");
        rejects(() -> Inputs.positive("t", Double.POSITIVE_INFINITY), "t", "Infinity");
        assertEquals(0.0, Inputs.nonNegative("m", 0));
        rejects(() -> Inputs.nonNegative("m", -0.25), "m", "-0.25");
        assertEquals(-3.0, Inputs.finite("b", -3));
        rejects(() -> Inputs.finite("b", Double.NEGATIVE_INFINITY), "b", "-Infinity");
    }

    @Test
    void shapesMustAgree() {
        NDArray a = m.ones(new Shape(4, 3));
        Inputs.sameShape("a", a, "b", m.ones(new Shape(4, 3)));
        Inputs.sameWidth("a", a, "c", m.ones(new Shape(7, 3)));
        rejects(() -> Inputs.sameShape("a", a, "b", m.ones(new Shape(4, 2))), "b", "(4, 2)");
        rejects(() -> Inputs.sameWidth("a", a, "c", m.ones(new Shape(7, 2))), "c", "(7, 2)", "3");
    }
}
