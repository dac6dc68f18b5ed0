package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metric4j.TestDevice;

class TorchTensorTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64", "FLOAT16", "INT64", "INT32", "INT8",
        "UINT8"})
    void ndArrayRoundTripKeepsTheBytes(DataType type) {
        for (Shape shape : List.of(new Shape(2, 3), new Shape(), new Shape(0, 4))) {
            TorchTensor t = StateDictWriterTest.tensor(type, shape, new Random(shape.size()));
            try (NDManager manager = TestDevice.manager()) {
                NDArray array = t.toNDArray(manager);

                assertEquals(type, array.getDataType(), type + " " + shape);
                assertEquals(shape, array.getShape(), type + " " + shape);
                assertEquals(t, TorchTensor.from(array), type + " " + shape);
            }
        }
    }

    @Test
    void bfloat16BecomesTheEqualFloat32() {
        // 1.5, -2, 3.140625 (0x4049 << 16), 0-d counterpart below
        byte[] bits = {(byte) 0xc0, 0x3f, 0x00, (byte) 0xc0, 0x49, 0x40};
        TorchTensor bf16 = TorchTensor.of(DataType.BFLOAT16, new Shape(3), bits);
        try (NDManager manager = TestDevice.manager()) {
            NDArray array = bf16.toNDArray(manager);

            assertEquals(DataType.FLOAT32, array.getDataType());
            assertEquals(new Shape(3), array.getShape());
            assertArrayEquals(new float[] {1.5f, -2f, 3.140625f}, array.toFloatArray());
            NDArray scalar = TorchTensor.of(DataType.BFLOAT16, new Shape(), new byte[] {(byte) 0x80, (byte) 0xbf})
                    .toNDArray(manager);
            assertEquals(new Shape(), scalar.getShape());
            assertEquals(-1f, scalar.getFloat(), 0f);
        }
    }

    @Test
    void booleansAndValuesReachTheArray() {
        try (NDManager manager = TestDevice.manager()) {
            TorchTensor flags = TorchTensor.of(DataType.BOOLEAN, new Shape(3), new byte[] {1, 0, 1});
            assertArrayEquals(new boolean[] {true, false, true}, flags.toNDArray(manager).toBooleanArray());

            NDArray floats = manager.create(new float[] {1.5f, -2f, 0.25f, 8f}, new Shape(2, 2));
            TorchTensor t = TorchTensor.from(floats);
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 8f}, StateDictReaderTest.floats(t));
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 8f}, t.toNDArray(manager).toFloatArray());
        }
    }

    @Test
    void scalarsAndLongValue() {
        TorchTensor counter = TorchTensor.scalar(-5_000_000_000L);
        assertEquals(DataType.INT64, counter.dataType());
        assertEquals(new Shape(), counter.shape());
        assertEquals(1, counter.size());
        assertEquals(-5_000_000_000L, counter.longValue());
        assertEquals(255L, TorchTensor.of(DataType.UINT8, new Shape(1), new byte[] {(byte) 0xff}).longValue());
        assertEquals(-1L, TorchTensor.of(DataType.INT8, new Shape(), new byte[] {(byte) 0xff}).longValue());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TorchTensor.of(DataType.FLOAT32, new Shape(), new byte[4]).longValue());
        assertEquals("longValue() needs a one-element integer tensor, this is TorchTensor(float32, ())", e.getMessage());
    }

    @Test
    void rejectsAWrongByteCountAndTypesWithoutAStorage() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> TorchTensor.of(DataType.FLOAT32, new Shape(2, 3), new byte[20]));
        assertEquals("a float32 tensor of shape (2, 3) needs 24 bytes, got 20", size.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> TorchTensor.of(DataType.UINT32, new Shape(1), new byte[4]));
        assertEquals("data type uint32 has no torch storage; supported: float32, float64, float16, bfloat16, int64,"
                + " int32, int16, int8, uint8, boolean", type.getMessage());
    }

    @Test
    void copiesInAndOut() {
        byte[] bytes = {0, 0, (byte) 0x80, 0x3f};
        TorchTensor t = TorchTensor.of(DataType.FLOAT32, new Shape(1), bytes);
        bytes[3] = 0;
        t.bytes()[3] = 0;
        assertEquals(1f, t.buffer().getFloat(), 0f);
        assertNotEquals(t, TorchTensor.of(DataType.INT32, new Shape(1), t.bytes()));
        assertNotEquals(t, TorchTensor.of(DataType.FLOAT32, new Shape(), t.bytes()));
    }
}
